package io.pulsebase.core.hooks;

/**
 * A server-side hook: Java code, loaded from the classpath or a configured jar through {@link java.util.ServiceLoader}
 * (a {@code META-INF/services/io.pulsebase.core.hooks.Hook} file naming the class, which needs a public no-argument
 * constructor), or a webhook ({@link WebhookHook}).
 *
 * <p>Contract. {@link #on} is called on a session's own thread (never a network event loop), once per event, in
 * the order the connection's events happen; different connections call it concurrently, so implementations must be
 * thread-safe. It may block (a database lookup, an HTTP call), but the caller waits: a connect, subscribe or
 * publish is answered only after every hook has allowed it. For {@link HookEvent#rejectable() rejectable} events a
 * rejection stops the action and its reason reaches the client as the error {@code rejected}; for the others the
 * verdict is ignored. A hook that throws rejects a rejectable event with a generic reason (fail closed; the
 * exception is logged, never shown to the client) and is otherwise ignored.
 */
public interface Hook {
    /** Which events this hook wants; the default is all of them. */
    default boolean wants(HookEvent event) {
        return true;
    }

    HookVerdict on(HookEvent event) throws Exception;
}
