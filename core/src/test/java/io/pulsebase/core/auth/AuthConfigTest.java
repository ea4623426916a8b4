package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.ACME_SERVICE;
import static io.pulsebase.core.auth.TestTokens.SECRET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthConfigTest {

    private static void invalid(Consumer<AuthConfig.Builder> change, String... mustNotAppear) {
        AuthConfig.Builder b = AuthConfig.builder().hsSecret(SECRET);
        change.accept(b);
        assertThatThrownBy(b::build).isInstanceOf(IllegalArgumentException.class).satisfies(e -> {
            assertThat(e.getMessage()).startsWith("auth: ");
            for (String s : mustNotAppear) {
                assertThat(e.getMessage()).doesNotContain(s);
            }
        });
    }

    @Test
    void defaults() {
        AuthConfig c = AuthConfig.builder().hsSecret(SECRET).build();
        assertThat(c.noCredentials()).isEqualTo(AuthConfig.NoCredentials.REFUSE);
        assertThat(c.defaultAccount()).isEqualTo("default");
        assertThat(c.accountClaim()).isEqualTo("account");
        assertThat(c.clockSkew()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.requireExpiry()).isTrue();
        assertThat(c.isDisabled()).isFalse();
        assertThat(AuthConfig.disabled().isDisabled()).isTrue();
    }

    @Test
    void badSettingsAreRefusedByName() {
        String shortSecret = "too-short-secret";
        invalid(b -> b.hsSecret(shortSecret), shortSecret);
        invalid(b -> b.defaultAccount("a b"));
        invalid(b -> b.accountClaim(" "));
        invalid(b -> b.issuer(""));
        invalid(b -> b.audience(" "));
        invalid(b -> b.clockSkew(Duration.ofMinutes(6)));
        invalid(b -> b.clockSkew(Duration.ofSeconds(-1)));
        invalid(b -> b.jwksUrl(URI.create("http://id.example/jwks.json")));
        invalid(b -> b.jwksUrl(URI.create("/relative")));
        invalid(b -> b.jwksUrl(URI.create("https://id.example/jwks")).jwksMinRefetchInterval(Duration.ofHours(1)));
        invalid(b -> b.jwksUrl(URI.create("https://id.example/jwks")).jwksTimeout(Duration.ZERO));
        invalid(b -> b.noCredentials(AuthConfig.NoCredentials.SERVICE), SECRET);
        invalid(b -> b.apiKey(ApiKey.service("a", ACME_SERVICE)).apiKey(ApiKey.anon("b", ACME_SERVICE)), ACME_SERVICE);
        invalid(b -> b.publicKeyPem("not a pem"));
        assertThatThrownBy(() -> AuthConfig.builder().build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("required");
        assertThat(AuthConfig.builder().jwksUrl(URI.create("http://127.0.0.1:1/jwks.json")).build().verifiesTokens())
                .isTrue();
        assertThat(AuthConfig.builder().jwksUrl(URI.create("https://id.example/.well-known/jwks.json")).build())
                .isNotNull();
    }

    @Test
    void pemKeysMustBeStrongPublicKeysOfTheRightCurve() throws Exception {
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        invalid(b -> b.publicKeyPem(TestTokens.pem(small.generateKeyPair().getPublic())));
        invalid(b -> b.publicKeyPem(TestTokens.pem(TestTokens.ec("secp384r1").getPublic())));
        KeyPair rsa = TestTokens.rsa();
        String privatePem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(rsa.getPrivate().getEncoded()) + "\n-----END PRIVATE KEY-----\n";
        String privateBase64 = Base64.getMimeEncoder().encodeToString(rsa.getPrivate().getEncoded()).substring(0, 40);
        invalid(b -> b.publicKeyPem(privatePem), privateBase64);
        invalid(b -> b.publicKeyPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"));
        // Two keys in one text are both read.
        KeyPair ec = TestTokens.ec("secp256r1");
        AuthConfig two = AuthConfig.builder().publicKeyPem(TestTokens.pem(rsa.getPublic()) + TestTokens.pem(ec.getPublic()))
                .build();
        assertThat(PemKeys.parse(two.publicKeys().get(0))).hasSize(2);
    }

    @Test
    void aPublicKeyFileIsReadWhenConfigured(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("key.pem");
        Files.writeString(file, TestTokens.pem(TestTokens.rsa().getPublic()));
        assertThat(AuthConfig.builder().publicKeyFile(file).build().publicKeys()).hasSize(1);
        assertThatThrownBy(() -> AuthConfig.builder().publicKeyFile(dir.resolve("missing.pem")))
                .hasMessageContaining("missing.pem");
    }

    @Test
    void noToStringShowsASecretOrKey() {
        AuthConfig c = AuthConfig.builder().hsSecret(SECRET).apiKey(ApiKey.service("acme", ACME_SERVICE))
                .jwksUrl(URI.create("https://user:pass@id.example/jwks.json?access_token=hunter2hunter2"))
                .issuer("https://id.example").build();
        assertThat(c.toString()).doesNotContain(SECRET).doesNotContain(ACME_SERVICE).doesNotContain("hunter2")
                .doesNotContain("pass").contains("hsSecrets=1").contains("acme:SERVICE").contains("id.example");
        String token = TestTokens.hs256(SECRET, TestTokens.claims().build());
        assertThat(new Credentials(token, token, ACME_SERVICE).toString()).doesNotContain(token)
                .doesNotContain(ACME_SERVICE).isEqualTo("Credentials[bearer=true, token=true, apikey=true]");
        Identity id = new Identity("acme", "user-1", Role.USER, Map.of("email", "ada@example.com"), Instant.EPOCH);
        assertThat(id.toString()).doesNotContain("ada@example.com").contains("email");
        assertThat(CompositeAuthenticator.from(c).toString()).doesNotContain(SECRET).doesNotContain(ACME_SERVICE);
    }

    @Test
    void identitiesAreConfinedToValidAccounts() {
        assertThatThrownBy(() -> Identity.anonymous("../other")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Identity.service(null)).isInstanceOf(IllegalArgumentException.class);
        assertThat(List.of("a", "A-1_b", "x".repeat(64))).allMatch(AccountIds::isValid);
        assertThat(List.of("", "-a", "_a", "a.b", "a/b", "x".repeat(65), "é")).noneMatch(AccountIds::isValid);
    }
}
