package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.ACME_ANON;
import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.ACME_SERVICE;
import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.GLOBEX_ANON;
import static io.pulsebase.core.auth.Refused.unauthorized;
import static io.pulsebase.core.auth.TestTokens.NOW;
import static io.pulsebase.core.auth.TestTokens.SECRET;
import static io.pulsebase.core.auth.TestTokens.claims;
import static io.pulsebase.core.auth.TestTokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.CloseCode;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import org.junit.jupiter.api.Test;

class CompositeAuthenticatorTest {
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    static AuthConfig.Builder full() {
        return AuthConfig.builder().hsSecret(SECRET)
                .apiKey(ApiKey.anon("acme", ACME_ANON)).apiKey(ApiKey.service("acme", ACME_SERVICE))
                .apiKey(ApiKey.anon("globex", GLOBEX_ANON));
    }

    static CompositeAuthenticator auth(AuthConfig.Builder b) {
        return CompositeAuthenticator.from(b.build(), CLOCK);
    }

    private final String userToken = hs256(SECRET, claims().build());

    @Test
    void withoutCredentialsTheConfiguredRuleApplies() {
        var e = unauthorized(() -> auth(full()).authenticate(Credentials.NONE));
        assertThat(Authenticator.closeCodeFor(e)).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(auth(full().noCredentials(AuthConfig.NoCredentials.ANON)).authenticate(Credentials.NONE))
                .isEqualTo(Identity.anonymous("default"));
        assertThat(auth(full().noCredentials(AuthConfig.NoCredentials.ANON).defaultAccount("main"))
                .authenticate(new Credentials(" ", "", null))).isEqualTo(Identity.anonymous("main"));
    }

    @Test
    void disabledSecurityIsTodaysBehaviourAndReadsNoCredentials() {
        CompositeAuthenticator open = CompositeAuthenticator.from(AuthConfig.disabled());
        assertThat(open.authenticate(Credentials.NONE)).isEqualTo(Identity.service("default"));
        assertThat(open.authenticate(new Credentials("garbage.token.here", "x", "y")))
                .isEqualTo(Identity.service("default"));
    }

    @Test
    void presentedCredentialsAreVerifiedEvenWhereAnonymousCallersAreAdmitted() {
        CompositeAuthenticator anonOk = auth(full().noCredentials(AuthConfig.NoCredentials.ANON));
        String expired = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(3600))).build());
        assertThat(unauthorized(() -> anonOk.authenticate(Credentials.ofToken(expired)), expired, SECRET))
                .isInstanceOf(TokenExpiredException.class);
        unauthorized(() -> anonOk.authenticate(Credentials.ofApiKey("pk_wrong_0123456789abcdef")));
    }

    @Test
    void theTokenSlotIsTheHeaderElseTheQueryAndItsShapePicksTokenOrKey() {
        CompositeAuthenticator auth = auth(full());
        assertThat(auth.authenticate(new Credentials(userToken, null, null)).subject()).isEqualTo("user-1");
        assertThat(auth.authenticate(new Credentials(null, userToken, null)).subject()).isEqualTo("user-1");
        assertThat(auth.authenticate(new Credentials(userToken, "ignored.when.header", null)).subject())
                .isEqualTo("user-1");
        assertThat(auth.authenticate(new Credentials(ACME_SERVICE, null, null))).isEqualTo(Identity.service("acme"));
        assertThat(auth.authenticate(new Credentials(null, ACME_ANON, null))).isEqualTo(Identity.anonymous("acme"));
    }

    @Test
    void aKeyWithATokenMustVerifyAndMatchTheTokensAccount() {
        CompositeAuthenticator auth = auth(full());
        Identity id = auth.authenticate(new Credentials(userToken, null, ACME_ANON));
        assertThat(id.role()).isEqualTo(Role.USER);
        assertThat(id.subject()).isEqualTo("user-1");
        unauthorized(() -> auth.authenticate(new Credentials(userToken, null, GLOBEX_ANON)), userToken, GLOBEX_ANON);
        unauthorized(() -> auth.authenticate(new Credentials(userToken, null, "pk_wrong_0123456789abcdef")), userToken);
    }

    @Test
    void twoDifferentKeysAreRefused() {
        CompositeAuthenticator auth = auth(full());
        unauthorized(() -> auth.authenticate(new Credentials(ACME_SERVICE, null, ACME_ANON)), ACME_SERVICE, ACME_ANON);
        assertThat(auth.authenticate(new Credentials(ACME_ANON, null, ACME_ANON))).isEqualTo(Identity.anonymous("acme"));
    }

    @Test
    void aKindOfCredentialTheServerIsNotConfiguredForIsRefused() {
        CompositeAuthenticator tokensOnly = auth(AuthConfig.builder().hsSecret(SECRET));
        unauthorized(() -> tokensOnly.authenticate(Credentials.ofApiKey(ACME_SERVICE)), ACME_SERVICE, SECRET);
        CompositeAuthenticator keysOnly = auth(AuthConfig.builder().apiKey(ApiKey.anon("acme", ACME_ANON)));
        unauthorized(() -> keysOnly.authenticate(Credentials.ofToken(userToken)), userToken);
        CompositeAuthenticator nothing = auth(AuthConfig.builder().noCredentials(AuthConfig.NoCredentials.ANON));
        assertThat(nothing.authenticate(Credentials.NONE)).isEqualTo(Identity.anonymous("default"));
        unauthorized(() -> nothing.authenticate(Credentials.ofToken(userToken)), userToken);
        assertThat(nothing.toString()).doesNotContain(SECRET);
        assertThat(auth(full()).toString()).doesNotContain(SECRET).doesNotContain(ACME_SERVICE);
    }
}
