package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.Refused.unauthorized;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ApiKeyAuthenticatorTest {
    static final String ACME_ANON = "pk_acme_0123456789abcdef";
    static final String ACME_SERVICE = "sk_acme_0123456789abcdef";
    static final String ACME_SERVICE_NEXT = "sk_acme_next_fedcba9876543210";
    static final String GLOBEX_ANON = "pk_globex_0123456789abcdef";

    private final ApiKeyAuthenticator keys = new ApiKeyAuthenticator(List.of(
            ApiKey.anon("acme", ACME_ANON), ApiKey.service("acme", ACME_SERVICE),
            ApiKey.service("acme", ACME_SERVICE_NEXT), ApiKey.anon("globex", GLOBEX_ANON)));

    @Test
    void eachKeyOpensItsAccountWithItsRole() {
        assertThat(keys.authenticate(Credentials.ofApiKey(ACME_ANON))).isEqualTo(Identity.anonymous("acme"));
        assertThat(keys.authenticate(Credentials.ofApiKey(ACME_SERVICE))).isEqualTo(Identity.service("acme"));
        assertThat(keys.authenticate(Credentials.ofApiKey(GLOBEX_ANON))).isEqualTo(Identity.anonymous("globex"));
        Identity service = keys.authenticate(Credentials.ofApiKey(ACME_SERVICE_NEXT));
        assertThat(service.isService()).isTrue();
        assertThat(service.subject()).isNull();
        assertThat(service.expiresAt()).isNull();
        assertThat(service.claims()).isEmpty();
    }

    @Test
    void aServiceKeyMayComeAsABearerValue() {
        assertThat(keys.authenticate(new Credentials(ACME_SERVICE, null, null))).isEqualTo(Identity.service("acme"));
    }

    @Test
    void wrongKeysAreRefusedWithoutEchoingThem() {
        for (String wrong : List.of(ACME_SERVICE + "x", ACME_SERVICE.substring(1), ACME_SERVICE.toUpperCase(),
                "pk_acme_0123456789abcdeF", "x", "k".repeat(10_000), "\u0000".repeat(20))) {
            unauthorized(() -> keys.authenticate(Credentials.ofApiKey(wrong)), wrong, ACME_SERVICE, ACME_ANON);
        }
        unauthorized(() -> keys.authenticate(Credentials.NONE));
    }

    @Test
    void keysAreValidatedWhenConfiguredAndNeverShown() {
        for (String bad : List.of("short", "has.a.dot.in.it.0123456789", "has a space 0123456789", "x".repeat(257),
                "tab\there0123456789abc", "unicode-é-0123456789abc")) {
            assertThatThrownBy(() -> ApiKey.service("acme", bad)).isInstanceOf(IllegalArgumentException.class)
                    .message().doesNotContain(bad);
        }
        assertThatThrownBy(() -> new ApiKey("acme", Role.USER, ACME_SERVICE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ApiKey.anon("a/b", ACME_ANON)).isInstanceOf(IllegalArgumentException.class);
        assertThat(ApiKey.service("acme", ACME_SERVICE).toString()).doesNotContain(ACME_SERVICE).contains("acme");
        assertThatThrownBy(() -> new ApiKeyAuthenticator(List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}
