package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.Refused.refused;
import static io.pulsebase.core.auth.Refused.unauthorized;
import static io.pulsebase.core.auth.TestTokens.NOW;
import static io.pulsebase.core.auth.TestTokens.claims;
import static io.pulsebase.core.auth.TestTokens.jwk;
import static io.pulsebase.core.auth.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.CloseCode;
import io.pulsebase.protocol.ErrorCode;
import java.net.ServerSocket;
import java.net.URI;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.Test;

/** JWKS: RS256 and ES256 by kid, rotation, refetch of an unknown kid and its rate limit, an unreachable JWKS. */
class JwksTest {
    private static final KeyPair K1 = TestTokens.rsa();
    private static final KeyPair K2 = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec("secp256r1");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    /** Long cache and refetch interval: whatever fetches happen are caused by the tokens, never by time. */
    private static JwtAuthenticator jwks(URI url) {
        return new JwtAuthenticator(AuthConfig.builder().jwksUrl(url).jwksCacheTtl(Duration.ofHours(2))
                .jwksMinRefetchInterval(Duration.ofHours(1)).jwksTimeout(Duration.ofSeconds(5)).build(), CLOCK);
    }

    @Test
    void rs256AndEs256TokensVerifyByKidAndTheSetIsCached() throws Exception {
        try (JwksServer server = new JwksServer(List.of(jwk(K1, "k1"), jwk(EC, "e1")))) {
            JwtAuthenticator auth = jwks(server.url());
            for (int i = 0; i < 5; i++) {
                assertThat(auth.verify(sign(K1, "k1", claims().build())).subject()).isEqualTo("user-1");
                assertThat(auth.verify(sign(EC, "e1", claims().build())).subject()).isEqualTo("user-1");
            }
            assertThat(server.fetches()).isEqualTo(1);
            // A token with the right kid but signed by another key is refused, and fetches nothing more.
            String forged = sign(K2, "k1", claims().build());
            unauthorized(() -> auth.verify(forged), forged);
            assertThat(server.fetches()).isEqualTo(1);
        }
    }

    @Test
    void rotationUnknownKidRefetchesOnceAndTheRateLimitHolds() throws Exception {
        try (JwksServer server = new JwksServer(List.of(jwk(K1, "k1")))) {
            JwtAuthenticator auth = jwks(server.url());
            assertThat(auth.verify(sign(K1, "k1", claims().build())).subject()).isEqualTo("user-1");
            assertThat(server.fetches()).isEqualTo(1);

            // The identity provider rotates: k2 is published (k1 kept during the overlap, then dropped).
            server.serve(List.of(jwk(K2, "k2")));
            assertThat(auth.verify(sign(K2, "k2", claims().subject("user-2").build())).subject()).isEqualTo("user-2");
            assertThat(server.fetches()).isEqualTo(2);
            // k1 left the new set: its tokens are refused now.
            String old = sign(K1, "k1", claims().build());
            unauthorized(() -> auth.verify(old), old);

            // A flood of made-up kids cannot make the server hammer the JWKS endpoint.
            for (int i = 0; i < 50; i++) {
                String unknown = sign(K1, "made-up-" + i, claims().build());
                unauthorized(() -> auth.verify(unknown), unknown);
            }
            assertThat(server.fetches()).isLessThanOrEqualTo(3);
            // And the current key still works throughout.
            assertThat(auth.verify(sign(K2, "k2", claims().build())).subject()).isEqualTo("user-1");
        }
    }

    @Test
    void algorithmConfusionAgainstJwksKeysIsRefused() throws Exception {
        try (JwksServer server = new JwksServer(List.of(jwk(K1, "k1")))) {
            JwtAuthenticator auth = jwks(server.url());
            RSAKey pub = (RSAKey) jwk(K1, "k1");
            byte[] asSecret = pub.toJSONString().getBytes();
            String hs = sign(JWSAlgorithm.HS256, "k1", new MACSigner(asSecret), claims().build(), h -> {});
            unauthorized(() -> auth.verify(hs), hs);
            String es = sign(EC, "k1", claims().build()); // ES256 naming an RSA key's kid
            unauthorized(() -> auth.verify(es), es);
        }
    }

    @Test
    void anUnreachableJwksIsUnavailableNotUnauthorized() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        JwtAuthenticator auth = jwks(URI.create("http://127.0.0.1:" + port + "/jwks.json"));
        String token = sign(K1, "k1", claims().build());
        var e = refused(ErrorCode.UNAVAILABLE, () -> auth.verify(token), token);
        assertThat(Authenticator.closeCodeFor(e)).isEqualTo(CloseCode.TRY_AGAIN_LATER);
        assertThat(e.getMessage()).doesNotContain(String.valueOf(port));
        // Past the refetch limit the outage is still an outage, not a bad token (whose close code says "stay away").
        for (int i = 0; i < 4; i++) {
            refused(ErrorCode.UNAVAILABLE, () -> auth.verify(token), token);
        }
    }
}
