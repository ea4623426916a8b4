package io.pulsebase.server;

import io.pulsebase.core.hooks.Hook;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.hooks.HookVerdict;

/**
 * Declared in this module's test resources (META-INF/services): a Java hook on the classpath, which
 * {@code pulsebase start} picks up without {@code --hook-jar} ({@link HookOptionsTest}).
 */
public final class ClasspathTestHook implements Hook {
    @Override
    public HookVerdict on(HookEvent event) {
        return HookVerdict.allow();
    }
}
