package io.pulsebase.core.hooks;

/** Loaded through a jar's service file in {@link HooksTest}: rejects subscriptions to {@code secret/...}. */
public final class RejectingTestHook implements Hook {
    @Override
    public HookVerdict on(HookEvent event) {
        if (event instanceof HookEvent.Subscribe s && s.topic().startsWith("secret/")) {
            return HookVerdict.reject("secret channels are closed");
        }
        return HookVerdict.allow();
    }
}
