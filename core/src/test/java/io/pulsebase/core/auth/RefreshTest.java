package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.ACME_ANON;
import static io.pulsebase.core.auth.ApiKeyAuthenticatorTest.ACME_SERVICE;
import static io.pulsebase.core.auth.Refused.refused;
import static io.pulsebase.core.auth.Refused.unauthorized;
import static io.pulsebase.core.auth.TestTokens.NOW;
import static io.pulsebase.core.auth.TestTokens.SECRET;
import static io.pulsebase.core.auth.TestTokens.claims;
import static io.pulsebase.core.auth.TestTokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.ErrorCode;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Refreshing credentials on an open connection: same caller only. */
class RefreshTest {
    private final CompositeAuthenticator auth = CompositeAuthenticator.from(CompositeAuthenticatorTest.full().build(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    private final Identity current = auth.authenticate(Credentials.ofToken(hs256(SECRET, claims().build())));

    @Test
    void aNewTokenForTheSameUserReplacesClaimsAndExpiry() {
        String next = hs256(SECRET, claims().claim("teams", List.of("red"))
                .expirationTime(Date.from(NOW.plusSeconds(7200))).build());
        Identity refreshed = auth.refresh(current, Credentials.ofToken(next));
        assertThat(refreshed.sameCallerAs(current)).isTrue();
        assertThat(refreshed.expiresAt()).isAfter(current.expiresAt());
        assertThat(refreshed.claims()).containsEntry("teams", List.of("red"));
    }

    @Test
    void aTokenForAnotherUserOrAccountIsForbidden() {
        for (var other : List.of(claims().subject("user-2"), claims().claim("account", "globex"),
                claims().subject(null))) {
            String token = hs256(SECRET, other.build());
            refused(ErrorCode.FORBIDDEN, () -> auth.refresh(current, Credentials.ofToken(token)), token, SECRET);
        }
        refused(ErrorCode.FORBIDDEN, () -> auth.refresh(current, Credentials.ofApiKey(ACME_SERVICE)), ACME_SERVICE);
        refused(ErrorCode.FORBIDDEN, () -> auth.refresh(current, Credentials.ofApiKey(ACME_ANON)), ACME_ANON);
    }

    @Test
    void anInvalidOrExpiredNewTokenIsUnauthorized() {
        String expired = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(3600))).build());
        assertThat(unauthorized(() -> auth.refresh(current, Credentials.ofToken(expired)), expired))
                .isInstanceOf(TokenExpiredException.class);
        unauthorized(() -> auth.refresh(current, Credentials.ofToken("not.a.token")));
        unauthorized(() -> auth.refresh(current, Credentials.NONE));
    }

    @Test
    void anApiKeyCallerMayPresentItsKeyAgain() {
        Identity service = auth.authenticate(Credentials.ofApiKey(ACME_SERVICE));
        assertThat(auth.refresh(service, Credentials.ofToken(ACME_SERVICE))).isEqualTo(service);
    }
}
