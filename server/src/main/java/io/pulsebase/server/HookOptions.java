package io.pulsebase.server;

import io.pulsebase.core.hooks.Hook;
import io.pulsebase.core.hooks.Hooks;
import io.pulsebase.core.hooks.WebhookHook;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine.Option;

/**
 * The hook options of {@code pulsebase start} (docs/security.md, "Hooks"): Java hooks from jars, and one webhook.
 * The webhook's signing secret is never an option (the command line is visible to every user of the machine): a
 * file named by {@code --webhook-secret-file}, or the environment variable {@value #WEBHOOK_SECRET_ENV}. Errors
 * name the option or variable, never the secret.
 */
final class HookOptions {
    static final String WEBHOOK_SECRET_ENV = "PULSEBASE_WEBHOOK_SECRET";

    @Option(names = "--hook-jar", paramLabel = "JAR", split = ",", defaultValue = "${env:PULSEBASE_HOOK_JARS}",
            description = "Jar of Java hooks (io.pulsebase.core.hooks.Hook, declared in META-INF/services); repeat "
                    + "or separate with commas (env PULSEBASE_HOOK_JARS).")
    List<Path> hookJars;

    @Option(names = "--webhook-url", paramLabel = "URL", defaultValue = "${env:PULSEBASE_WEBHOOK_URL}",
            description = "Webhook receiving connect, subscribe, message, unsubscribe and disconnect events as "
                    + "signed JSON POSTs (env PULSEBASE_WEBHOOK_URL).")
    URI webhookUrl;

    @Option(names = "--webhook-secret-file", paramLabel = "FILE", defaultValue = "${env:PULSEBASE_WEBHOOK_SECRET_FILE}",
            description = "File holding the webhook's signing secret, at least 32 bytes (env "
                    + "PULSEBASE_WEBHOOK_SECRET_FILE; or the secret itself in env " + WEBHOOK_SECRET_ENV + ").")
    Path webhookSecretFile;

    @Option(names = "--webhook-events", paramLabel = "EVENTS", split = ",",
            defaultValue = "${env:PULSEBASE_WEBHOOK_EVENTS}",
            description = "Events sent to the webhook: connect, subscribe, message, unsubscribe, disconnect "
                    + "(env PULSEBASE_WEBHOOK_EVENTS; default all).")
    List<String> webhookEvents;

    @Option(names = "--webhook-timeout", paramLabel = "DURATION", defaultValue = "${env:PULSEBASE_WEBHOOK_TIMEOUT:-PT2S}",
            description = "How long a connect, subscribe or publish waits for the webhook's answer, ISO-8601 "
                    + "(env PULSEBASE_WEBHOOK_TIMEOUT, default ${DEFAULT-VALUE}).")
    Duration webhookTimeout;

    @Option(names = "--webhook-fail-open", defaultValue = "${env:PULSEBASE_WEBHOOK_FAIL_OPEN:-false}",
            description = "Allow when the webhook is unreachable or answers an error (default: reject).")
    boolean webhookFailOpen;

    /**
     * The configured hooks: Java hooks on the classpath, then those of the jars in order, then the webhook.
     *
     * @throws IllegalArgumentException naming the option at fault
     */
    Hooks toHooks(Map<String, String> env) {
        List<Hook> hooks = new ArrayList<>(Hooks.loadClasspath());
        hooks.addAll(Hooks.loadJars(hookJars == null ? List.of() : hookJars));
        if (webhookUrl == null) {
            if (webhookSecretFile != null || env.get(WEBHOOK_SECRET_ENV) != null) {
                throw new IllegalArgumentException("hooks: a webhook secret is set but --webhook-url is not");
            }
            return Hooks.of(hooks);
        }
        if (webhookTimeout.isNegative() || webhookTimeout.isZero() || webhookTimeout.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("hooks: --webhook-timeout must be more than zero and at most PT1M");
        }
        Set<String> events = new LinkedHashSet<>();
        if (webhookEvents != null) {
            for (String e : webhookEvents) {
                if (!e.isBlank()) {
                    events.add(e.trim());
                }
            }
        }
        hooks.add(new WebhookHook(webhookUrl, secret(env), events, webhookTimeout, webhookFailOpen,
                Clock.systemUTC()));
        return Hooks.of(hooks);
    }

    private String secret(Map<String, String> env) {
        if (webhookSecretFile != null) {
            try {
                return Files.readString(webhookSecretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("hooks: --webhook-secret-file " + webhookSecretFile
                        + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
        }
        String value = env.get(WEBHOOK_SECRET_ENV);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("hooks: --webhook-url needs a signing secret: --webhook-secret-file or "
                    + WEBHOOK_SECRET_ENV);
        }
        return value.strip();
    }
}
