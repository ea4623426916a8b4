package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.hooks.Hooks;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code --hook-jar} and {@code --webhook-*} options, as {@code pulsebase start} reads them. */
class HookOptionsTest {
    private static final String SECRET = "a-webhook-secret-of-at-least-32-bytes";

    @TempDir
    Path dir;

    private static Hooks hooks(Map<String, String> env, String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start.hooks.toHooks(env);
    }

    private static String refusal(Map<String, String> env, String... args) {
        try {
            hooks(env, args);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted");
    }

    @Test
    void withoutHookOptionsOnlyTheClasspathsHooksAreLoaded() {
        // This module's test resources declare ClasspathTestHook (META-INF/services), as a jar on -cp would.
        assertThat(hooks(Map.of()).toString()).isEqualTo("Hooks[" + ClasspathTestHook.class.getName() + "]");
    }

    @Test
    void aWebhookTakesItsSecretFromAFileOrTheEnvironmentAndNeverShowsIt() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret"), SECRET + "\n");
        Hooks fromFile = hooks(Map.of(), "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret-file",
                secret.toString(), "--webhook-events", "connect,message");
        assertThat(fromFile.isEmpty()).isFalse();
        assertThat(fromFile.toString()).contains("127.0.0.1:9/hook").doesNotContain(SECRET);
        Hooks fromEnv = hooks(Map.of(HookOptions.WEBHOOK_SECRET_ENV, SECRET), "--webhook-url", "http://127.0.0.1:9/h");
        assertThat(fromEnv.isEmpty()).isFalse();
    }

    @Test
    void badHookSettingsNameTheOptionNeverTheSecret() {
        assertThat(refusal(Map.of(), "--webhook-url", "http://127.0.0.1:9/hook")).contains("needs a signing secret");
        assertThat(refusal(Map.of(HookOptions.WEBHOOK_SECRET_ENV, "too-short"), "--webhook-url", "http://127.0.0.1:9/h"))
                .contains("at least 32 bytes").doesNotContain("too-short");
        assertThat(refusal(Map.of(HookOptions.WEBHOOK_SECRET_ENV, SECRET), "--webhook-url", "http://127.0.0.1:9/h",
                "--webhook-events", "connect,publish")).contains("unknown event 'publish'");
        assertThat(refusal(Map.of(HookOptions.WEBHOOK_SECRET_ENV, SECRET), "--webhook-url", "http://127.0.0.1:9/h",
                "--webhook-timeout", "PT0S")).contains("--webhook-timeout");
        assertThat(refusal(Map.of(HookOptions.WEBHOOK_SECRET_ENV, SECRET))).contains("--webhook-url is not");
        assertThat(refusal(Map.of(), "--hook-jar", dir.resolve("missing.jar").toString())).contains("no such jar");
        assertThat(refusal(Map.of(), "--webhook-url", "http://127.0.0.1:9/h", "--webhook-secret-file",
                dir.resolve("nope").toString())).contains("--webhook-secret-file").contains("cannot be read");
    }
}
