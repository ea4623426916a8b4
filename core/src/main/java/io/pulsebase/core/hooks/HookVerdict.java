package io.pulsebase.core.hooks;

import java.util.Objects;

/** A hook's answer: go on, or reject with a reason the client is shown (so it must not hold secrets). */
public record HookVerdict(boolean allowed, String reason) {
    private static final HookVerdict ALLOW = new HookVerdict(true, null);

    public HookVerdict {
        if (!allowed) {
            Objects.requireNonNull(reason, "a rejection needs a reason");
        }
    }

    public static HookVerdict allow() {
        return ALLOW;
    }

    public static HookVerdict reject(String reason) {
        return new HookVerdict(false, reason);
    }
}
