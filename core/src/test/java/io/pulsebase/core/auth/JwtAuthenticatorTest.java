package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.Refused.unauthorized;
import static io.pulsebase.core.auth.TestTokens.NOW;
import static io.pulsebase.core.auth.TestTokens.OTHER_SECRET;
import static io.pulsebase.core.auth.TestTokens.SECRET;
import static io.pulsebase.core.auth.TestTokens.claims;
import static io.pulsebase.core.auth.TestTokens.hs256;
import static io.pulsebase.core.auth.TestTokens.pem;
import static io.pulsebase.core.auth.TestTokens.raw;
import static io.pulsebase.core.auth.TestTokens.sign;
import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.CloseCode;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair OTHER_RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec("secp256r1");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static JwtAuthenticator hs(AuthConfig.Builder b) {
        return new JwtAuthenticator(b.hsSecret(SECRET).build(), CLOCK);
    }

    private static JwtAuthenticator hs() {
        return hs(AuthConfig.builder());
    }

    private static JwtAuthenticator pemKeys(KeyPair... pairs) {
        AuthConfig.Builder b = AuthConfig.builder();
        for (KeyPair p : pairs) {
            b.publicKeyPem(pem(p.getPublic()));
        }
        return new JwtAuthenticator(b.build(), CLOCK);
    }

    @Test
    void validHs256TokenGivesTheUserInItsAccount() {
        Identity id = hs().verify(hs256(SECRET, claims().claim("teams", List.of("red", "blue")).build()));
        assertThat(id.account()).isEqualTo("acme");
        assertThat(id.subject()).isEqualTo("user-1");
        assertThat(id.role()).isEqualTo(Role.USER);
        assertThat(id.isService()).isFalse();
        assertThat(id.claims()).containsEntry("sub", "user-1").containsEntry("teams", List.of("red", "blue"));
        assertThat(id.expiresAt()).isEqualTo(NOW.plusSeconds(3600).plus(Duration.ofSeconds(30)));
    }

    @Test
    void validRs256AndEs256TokensFromPemKeys() {
        JwtAuthenticator auth = pemKeys(RSA, EC);
        assertThat(auth.verify(sign(RSA, null, claims().build())).subject()).isEqualTo("user-1");
        assertThat(auth.verify(sign(EC, "some-kid", claims().subject("user-2").build())).subject()).isEqualTo("user-2");
    }

    @Test
    void aCertificatesKeyVerifies() throws Exception {
        TestCertificate cert = TestCertificate.create();
        JwtAuthenticator auth = new JwtAuthenticator(AuthConfig.builder().publicKeyPem(cert.pem()).build(), CLOCK);
        assertThat(auth.verify(TestTokens.sign(cert.privateKey(), "k", claims().build(), h -> {})).account())
                .isEqualTo("acme");
    }

    @Test
    void everyConfiguredSecretVerifiesSoASecondCanBeAddedWhileRotating() {
        JwtAuthenticator auth = new JwtAuthenticator(
                AuthConfig.builder().hsSecret(SECRET).hsSecret(OTHER_SECRET).build(), CLOCK);
        assertThat(auth.verify(hs256(SECRET, claims().build())).subject()).isEqualTo("user-1");
        assertThat(auth.verify(hs256(OTHER_SECRET, claims().build())).subject()).isEqualTo("user-1");
        JwtAuthenticator onlyNew = new JwtAuthenticator(AuthConfig.builder().hsSecret(OTHER_SECRET).build(), CLOCK);
        String old = hs256(SECRET, claims().build());
        unauthorized(() -> onlyNew.verify(old), old, SECRET, OTHER_SECRET);
    }

    @Test
    void claimsArePlainJsonValues() {
        Identity id = hs().verify(hs256(SECRET, claims()
                .claim("n", 7).claim("x", 2.5).claim("ok", true)
                .claim("meta", Map.of("plan", "pro", "seats", 3)).build()));
        assertThat(id.claims().get("n")).isEqualTo(7L);
        assertThat(id.claims().get("x")).isEqualTo(2.5);
        assertThat(id.claims().get("ok")).isEqualTo(true);
        assertThat(id.claims().get("exp")).isEqualTo(NOW.plusSeconds(3600).getEpochSecond());
        assertThat(id.claims().get("meta")).isEqualTo(Map.of("plan", "pro", "seats", 3L));
        assertThat(id.toString()).doesNotContain("pro").contains("meta");
    }

    @Test
    void unsignedTokensAreRefused() {
        JwtAuthenticator auth = hs();
        String plain = new PlainJWT(claims().build()).serialize();
        unauthorized(() -> auth.verify(plain), plain);
        String payload = "{\"sub\":\"user-1\",\"account\":\"acme\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + "}";
        for (String header : List.of("{\"alg\":\"none\"}", "{\"alg\":\"None\"}", "{\"alg\":\"NONE\",\"typ\":\"JWT\"}",
                "{\"alg\":\"nOnE\"}")) {
            for (String sig : List.of("", "c2ln")) {
                String token = raw(header, payload, sig);
                unauthorized(() -> auth.verify(token), token);
            }
        }
    }

    @Test
    void badSignaturesAndWrongKeysAreRefused() {
        JwtAuthenticator auth = hs();
        String good = hs256(SECRET, claims().build());
        String flipped = good.substring(0, good.length() - 5) + (good.charAt(good.length() - 5) == 'A' ? 'B' : 'A')
                + good.substring(good.length() - 4);
        unauthorized(() -> auth.verify(flipped), flipped, SECRET);
        String otherSecret = hs256(OTHER_SECRET, claims().build());
        unauthorized(() -> auth.verify(otherSecret), otherSecret, SECRET);
        String[] parts = good.split("\\.");
        String swapped = parts[0] + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"sub\":\"admin\",\"account\":\"acme\"}".getBytes()) + "." + parts[2];
        unauthorized(() -> auth.verify(swapped), swapped, SECRET);
        String noSignature = parts[0] + "." + parts[1] + ".";
        unauthorized(() -> auth.verify(noSignature), noSignature, SECRET);

        JwtAuthenticator rsa = pemKeys(RSA);
        String otherKey = sign(OTHER_RSA, null, claims().build());
        unauthorized(() -> rsa.verify(otherKey), otherKey);
    }

    @Test
    void algorithmConfusionIsRefused() {
        JwtAuthenticator rsaOnly = pemKeys(RSA);
        // The classic attack: HMAC with the server's public key (as PEM text, or as DER bytes) as the secret.
        String withPemText = sign(JWSAlgorithm.HS256, null, mac(pem(RSA.getPublic()).getBytes()), claims().build(),
                h -> {});
        unauthorized(() -> rsaOnly.verify(withPemText), withPemText);
        String withDer = sign(JWSAlgorithm.HS256, null, mac(RSA.getPublic().getEncoded()), claims().build(), h -> {});
        unauthorized(() -> rsaOnly.verify(withDer), withDer);
        // An ES256 token where only RSA is configured, and an RS256 token where only a secret is.
        String es = sign(EC, null, claims().build());
        unauthorized(() -> rsaOnly.verify(es), es);
        String rs = sign(RSA, null, claims().build());
        unauthorized(() -> hs().verify(rs), rs, SECRET);
        // Algorithms nobody configured, even with the right key.
        String rs384 = sign(JWSAlgorithm.RS384, null, new RSASSASigner(RSA.getPrivate()), claims().build(), h -> {});
        unauthorized(() -> rsaOnly.verify(rs384), rs384);
        String hs512 = sign(JWSAlgorithm.HS512, null, mac((SECRET + SECRET).getBytes()), claims().build(), h -> {});
        unauthorized(() -> hs().verify(hs512), hs512, SECRET);
    }

    @Test
    void aKeyEmbeddedInTheTokenIsNeverTrusted() {
        KeyPair attacker = TestTokens.rsa();
        RSAKey attackerJwk = new RSAKey.Builder((java.security.interfaces.RSAPublicKey) attacker.getPublic()).build();
        String token = sign(attacker.getPrivate(), null, claims().build(), h -> h.jwk(attackerJwk));
        unauthorized(() -> pemKeys(RSA).verify(token), token);
    }

    @Test
    void expiredTokensAreADistinctRefusalAndTheSkewIsHonoured() {
        JwtAuthenticator auth = hs();
        String expired = hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(31))).build());
        var e = unauthorized(() -> auth.verify(expired), expired, SECRET);
        assertThat(e).isInstanceOf(TokenExpiredException.class);
        assertThat(Authenticator.closeCodeFor(e)).isEqualTo(CloseCode.TOKEN_EXPIRED);
        Identity withinSkew = auth.verify(hs256(SECRET, claims().expirationTime(Date.from(NOW.minusSeconds(29))).build()));
        assertThat(withinSkew.expiresAt()).isEqualTo(NOW.plusSeconds(1));
        assertThat(withinSkew.isExpiredAt(NOW)).isFalse();
        assertThat(withinSkew.isExpiredAt(NOW.plusSeconds(1))).isTrue();

        JwtAuthenticator noSkew = hs(AuthConfig.builder().clockSkew(Duration.ZERO));
        String justExpired = hs256(SECRET, claims().expirationTime(Date.from(NOW)).build());
        assertThat(catchExpired(() -> noSkew.verify(justExpired))).isTrue();
    }

    @Test
    void tokensWithoutExpiryAreRefusedUnlessAllowed() {
        String forever = hs256(SECRET, claims().expirationTime(null).build());
        var e = unauthorized(() -> hs().verify(forever), forever, SECRET);
        assertThat(e).isNotInstanceOf(TokenExpiredException.class);
        assertThat(Authenticator.closeCodeFor(e)).isEqualTo(CloseCode.UNAUTHORIZED);
        assertThat(hs(AuthConfig.builder().requireExpiry(false)).verify(forever).expiresAt()).isNull();
    }

    @Test
    void notYetValidTokensAreRefused() {
        String future = hs256(SECRET, claims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build());
        var e = unauthorized(() -> hs().verify(future), future, SECRET);
        assertThat(e).isNotInstanceOf(TokenExpiredException.class);
        assertThat(hs().verify(hs256(SECRET, claims().notBeforeTime(Date.from(NOW.plusSeconds(29))).build())))
                .isNotNull();
    }

    @Test
    void audienceAndIssuerAreCheckedWhenConfigured() {
        JwtAuthenticator auth = hs(AuthConfig.builder().issuer("https://id.example").audience("pulsebase"));
        JWTClaimsSet.Builder ok = claims().issuer("https://id.example").audience(List.of("other", "pulsebase"));
        assertThat(auth.verify(hs256(SECRET, ok.build())).subject()).isEqualTo("user-1");
        for (JWTClaimsSet bad : List.of(
                claims().issuer("https://id.example").audience("other").build(),
                claims().issuer("https://id.example").build(),
                claims().issuer("https://evil.example").audience("pulsebase").build(),
                claims().audience("pulsebase").build())) {
            String token = hs256(SECRET, bad);
            unauthorized(() -> auth.verify(token), token, SECRET);
        }
        // A wrong audience is reported as such even when the token has also expired: refreshing would not help.
        String expiredWrongAud = hs256(SECRET, claims().issuer("https://id.example").audience("other")
                .expirationTime(Date.from(NOW.minusSeconds(3600))).build());
        assertThat(unauthorized(() -> auth.verify(expiredWrongAud))).isNotInstanceOf(TokenExpiredException.class);
    }

    @Test
    void theAccountComesFromTheConfiguredClaimOrTheDefault() {
        assertThat(hs().verify(hs256(SECRET, claims().claim("account", null).build())).account()).isEqualTo("default");
        JwtAuthenticator tenant = hs(AuthConfig.builder().accountClaim("tenant").defaultAccount("main"));
        assertThat(tenant.verify(hs256(SECRET, claims().claim("tenant", "t-42").build())).account()).isEqualTo("t-42");
        assertThat(tenant.verify(hs256(SECRET, claims().build())).account()).isEqualTo("main");
        for (Object bad : List.of("a/b", "", "../x", "a b", 42, List.of("acme"), "x".repeat(65))) {
            String token = hs256(SECRET, claims().claim("account", bad).build());
            unauthorized(() -> hs().verify(token), token, SECRET);
        }
    }

    @Test
    void aTokenWithoutSubjectIsAnonymousAndABadSubjectIsRefused() {
        Identity anon = hs().verify(hs256(SECRET, claims().subject(null).build()));
        assertThat(anon.role()).isEqualTo(Role.ANON);
        assertThat(anon.subject()).isNull();
        // Nimbus reads a numeric sub as its decimal text; anything else that is not a non-empty string is refused.
        assertThat(hs().verify(hs256(SECRET, claims().claim("sub", 7).build())).subject()).isEqualTo("7");
        for (Object bad : List.of("", List.of("u"), Map.of("id", "u"), true)) {
            String token = hs256(SECRET, claims().claim("sub", bad).build());
            unauthorized(() -> hs().verify(token), token, SECRET);
        }
    }

    @Test
    void tokenTypesOtherThanJwtAreRefused() {
        String atJwt = sign(JWSAlgorithm.HS256, null, mac(SECRET.getBytes()), claims().build(),
                h -> h.type(new JOSEObjectType("at+jwt")));
        assertThat(hs().verify(atJwt).subject()).isEqualTo("user-1");
        String logout = sign(JWSAlgorithm.HS256, null, mac(SECRET.getBytes()), claims().build(),
                h -> h.type(new JOSEObjectType("logout+jwt")));
        unauthorized(() -> hs().verify(logout), logout, SECRET);
    }

    @Test
    void malformedAndOversizedTokensAreRefused() {
        JwtAuthenticator auth = hs();
        String good = hs256(SECRET, claims().build());
        for (String bad : List.of(".", "..", "a.b.c", "a.b.c.d.e", good + ".x", good.replace('.', '!') + ".",
                raw("{\"alg\":\"HS256\"}", "not json", "c2ln"), raw("[]", "{}", "c2ln"),
                raw("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", "{}", "c2ln"),
                raw("{\"alg\":\"HS256\"}", "{\"exp\":\"tomorrow\"}", "c2ln"),
                raw("{\"alg\":\"HS256\"}", "[".repeat(5000), "c2ln"),
                "x.".repeat(10) + good, good + "x".repeat(JwtAuthenticator.MAX_TOKEN_CHARS))) {
            unauthorized(() -> auth.verify(bad), bad, SECRET);
        }
        unauthorized(() -> auth.authenticate(Credentials.NONE));
    }

    @Test
    void deeplyNestedClaimsAreRefused() {
        Object nested = "leaf";
        for (int i = 0; i < JsonValues.MAX_DEPTH + 2; i++) {
            nested = List.of(nested);
        }
        String token = hs256(SECRET, claims().claim("deep", nested).build());
        unauthorized(() -> hs().verify(token), token, SECRET);
    }

    private static MACSigner mac(byte[] secret) {
        try {
            return new MACSigner(secret);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean catchExpired(Runnable r) {
        try {
            r.run();
            return false;
        } catch (TokenExpiredException e) {
            return true;
        }
    }
}
