package io.pulsebase.core.hooks;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configured hooks, asked in order (see {@link Hook} for the contract). Immutable and thread-safe.
 */
public final class Hooks {
    private static final Logger log = LoggerFactory.getLogger(Hooks.class);
    private static final Hooks NONE = new Hooks(List.of());

    private final List<Hook> hooks;

    private Hooks(List<Hook> hooks) {
        this.hooks = List.copyOf(hooks);
    }

    public static Hooks none() {
        return NONE;
    }

    public static Hooks of(List<Hook> hooks) {
        return hooks.isEmpty() ? NONE : new Hooks(hooks);
    }

    /**
     * The Java hooks on the server's own classpath (a jar given to {@code java -cp} beside the server's), declared
     * the same way as in {@link #loadJars}.
     *
     * @throws IllegalArgumentException when a declared hook class cannot be created
     */
    public static List<Hook> loadClasspath() {
        List<Hook> loaded = new ArrayList<>();
        try {
            for (Hook hook : ServiceLoader.load(Hook.class, Hooks.class.getClassLoader())) {
                loaded.add(hook);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("hooks: " + e.getMessage(), e);
        }
        return loaded;
    }

    /**
     * The Java hooks of some jars ({@link ServiceLoader}, in jar order), loaded in a class loader of their own whose
     * parent is the server's.
     *
     * @throws IllegalArgumentException naming a jar that is missing, or a hook class that cannot be created
     */
    public static List<Hook> loadJars(List<Path> jars) {
        if (jars.isEmpty()) {
            return List.of();
        }
        List<URL> urls = new ArrayList<>();
        for (Path jar : jars) {
            if (!Files.isRegularFile(jar)) {
                throw new IllegalArgumentException("hooks: no such jar: " + jar);
            }
            try {
                urls.add(jar.toUri().toURL());
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("hooks: not a jar path: " + jar, e);
            }
        }
        ClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), Hooks.class.getClassLoader());
        List<Hook> loaded = new ArrayList<>();
        try {
            for (Hook hook : ServiceLoader.load(Hook.class, loader)) {
                loaded.add(hook);
            }
        } catch (ServiceConfigurationError e) {
            throw new IllegalArgumentException("hooks: " + e.getMessage(), e);
        }
        if (loaded.isEmpty()) {
            throw new IllegalArgumentException("hooks: no Hook implementation is declared in "
                    + "META-INF/services/" + Hook.class.getName() + " of " + jars);
        }
        return loaded;
    }

    public boolean isEmpty() {
        return hooks.isEmpty();
    }

    /**
     * Asks every hook that wants the event; for a {@link HookEvent#rejectable() rejectable} event the first
     * rejection stops the action. Never throws for the others.
     *
     * @throws ProtocolException {@link ErrorCode#REJECTED} with the hook's reason
     */
    public void run(HookEvent event) {
        for (Hook hook : hooks) {
            if (!hook.wants(event)) {
                continue;
            }
            HookVerdict verdict;
            try {
                verdict = hook.on(event);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                verdict = HookVerdict.reject("interrupted");
            } catch (Exception | LinkageError e) {
                log.warn("hook failed hook={} event={} topic={}", hook.getClass().getName(), event.type(),
                        topicOf(event), e);
                verdict = HookVerdict.reject("a server hook failed");
            }
            if (verdict != null && !verdict.allowed() && event.rejectable()) {
                throw new ProtocolException(ErrorCode.REJECTED, verdict.reason());
            }
        }
    }

    private static String topicOf(HookEvent event) {
        return switch (event) {
            case HookEvent.Subscribe s -> s.topic();
            case HookEvent.Unsubscribe u -> u.topic();
            case HookEvent.Message m -> m.topic();
            default -> "";
        };
    }

    @Override
    public String toString() {
        // A webhook shows its URL and events, never its secret; a Java hook its class.
        return "Hooks" + hooks.stream().map(h -> h instanceof WebhookHook ? h.toString() : h.getClass().getName())
                .toList();
    }
}
