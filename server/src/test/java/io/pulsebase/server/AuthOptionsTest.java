package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.auth.AuthConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The {@code --auth-*} options and {@code PULSEBASE_AUTH_*} variables, as {@code pulsebase start} reads them. */
class AuthOptionsTest {
    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes-0123";
    private static final String SERVICE_KEY = "service-key-abcdefghijkl";

    @TempDir
    Path dir;

    private static AuthConfig config(Map<String, String> env, String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start.auth.toConfig(env);
    }

    private static String refusal(Map<String, String> env, String... args) {
        try {
            config(env, args);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError("accepted");
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    @Test
    void nothingConfiguredMeansSecurityDisabled() {
        assertThat(config(Map.of()).isDisabled()).isTrue();
    }

    @Test
    void aSecretFromTheEnvironmentTurnsSecurityOnAndRefusesCallersWithoutCredentials() {
        AuthConfig c = config(Map.of(AuthOptions.HS256_SECRET_ENV, SECRET), "--auth-issuer", "https://i",
                "--auth-audience", "api", "--auth-clock-skew", "PT5S");
        assertThat(c.noCredentials()).isEqualTo(AuthConfig.NoCredentials.REFUSE);
        assertThat(c.hsSecrets()).containsExactly(SECRET);
        assertThat(c.issuer()).isEqualTo("https://i");
        assertThat(c.audience()).isEqualTo("api");
        assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void filesHoldSecretsOnePerLineAndKeysSeparatedByWhiteSpace() throws IOException {
        Path secrets = file("secrets", SECRET + "\r\n\n" + SECRET + "-next\n");
        Path service = file("service", SERVICE_KEY + " \n" + SERVICE_KEY + "-2\n");
        AuthConfig c = config(Map.of(AuthOptions.ANON_KEY_ENV, "anon-key-abcdefghijklm"),
                "--auth-hs256-secret-file", secrets.toString(), "--auth-service-key-file", service.toString(),
                "--auth-no-credentials", "anon");
        assertThat(c.hsSecrets()).containsExactly(SECRET, SECRET + "-next");
        assertThat(c.apiKeys()).hasSize(3).allMatch(k -> k.account().equals(AuthConfig.DEFAULT_ACCOUNT));
        assertThat(c.noCredentials()).isEqualTo(AuthConfig.NoCredentials.ANON);
    }

    @Test
    void aKeysFileGivesKeysOfAnyAccountOnePerLine() throws IOException {
        Path keys = file("keys", """
                # account  role     key
                acme       service  acme-service-key-0123456789
                acme       anon     acme-public-key-0123456789

                globex     SERVICE  globex-service-key-0123456789
                """);
        AuthConfig c = config(Map.of(), "--auth-keys-file", keys.toString());
        assertThat(c.apiKeys()).extracting(k -> k.account() + "/" + k.role())
                .containsExactly("acme/SERVICE", "acme/ANON", "globex/SERVICE");
        assertThat(c.noCredentials()).isEqualTo(AuthConfig.NoCredentials.REFUSE);
    }

    @Test
    void aKeysFileLineInErrorIsNamedButItsKeyNever() throws IOException {
        String key = "a-key-that-must-not-be-echoed-01";
        for (String line : new String[] {"acme " + key, "acme user " + key, "../x service " + key,
                "acme service short", "acme service " + key + " extra"}) {
            Path keys = file("keys", "# first line\n" + line + "\n");
            assertThat(refusal(Map.of(), "--auth-keys-file", keys.toString()))
                    .as(line).contains("--auth-keys-file", "line 2").doesNotContain(key);
        }
        Path twice = file("twice", "acme service " + key + "\nglobex service " + key + "\n");
        assertThat(refusal(Map.of(), "--auth-keys-file", twice.toString())).contains("twice").doesNotContain(key);
        assertThat(refusal(Map.of(), "--auth-keys-file", file("empty", "# none\n").toString()))
                .contains("holds no key");
    }

    @Test
    void anonymousOnlyNeedsNothingElse() {
        assertThat(config(Map.of(), "--auth-no-credentials", "anon").noCredentials())
                .isEqualTo(AuthConfig.NoCredentials.ANON);
    }

    @Test
    void errorsNameTheOptionFileOrVariableButNeverTheValue() throws IOException {
        String shortSecret = "too-short-secret";
        assertThat(refusal(Map.of(AuthOptions.HS256_SECRET_ENV, shortSecret)))
                .contains("env " + AuthOptions.HS256_SECRET_ENV).doesNotContain(shortSecret);
        Path secrets = file("secrets", SECRET + "\n" + shortSecret + "\n");
        assertThat(refusal(Map.of(), "--auth-hs256-secret-file", secrets.toString()))
                .contains("--auth-hs256-secret-file " + secrets + " (secret 2)").doesNotContain(shortSecret);
        Path notPem = file("key.pem", "not a key");
        assertThat(refusal(Map.of(), "--auth-public-key-file", notPem.toString()))
                .contains("--auth-public-key-file " + notPem).contains("PEM");
        String badKey = "has.a.dot.and.is.long";
        assertThat(refusal(Map.of(AuthOptions.SERVICE_KEY_ENV, badKey)))
                .contains("env " + AuthOptions.SERVICE_KEY_ENV + ", key 1").doesNotContain(badKey);
        assertThat(refusal(Map.of(AuthOptions.SERVICE_KEY_ENV, SERVICE_KEY), "--auth-no-credentials", "disabled"))
                .contains("--auth-no-credentials=disabled").doesNotContain(SERVICE_KEY);
        assertThat(refusal(Map.of(), "--auth-no-credentials", "refuse")).contains("no secret");
        assertThat(refusal(Map.of(), "--auth-no-credentials", "maybe")).contains("--auth-no-credentials");
        assertThat(refusal(Map.of(), "--auth-default-account", "../x")).contains("--auth-default-account");
        assertThat(refusal(Map.of(AuthOptions.HS256_SECRET_ENV, SECRET), "--auth-clock-skew", "PT10M"))
                .contains("--auth-clock-skew");
        assertThat(refusal(Map.of(), "--auth-hs256-secret-file", dir.resolve("missing").toString()))
                .contains("--auth-hs256-secret-file").contains("cannot read");
        assertThat(refusal(Map.of(), "--auth-jwks-url", "http://example.com/jwks")).contains("--auth-jwks-url");
    }
}
