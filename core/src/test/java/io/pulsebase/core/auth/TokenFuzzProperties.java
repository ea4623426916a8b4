package io.pulsebase.core.auth;

import static io.pulsebase.core.auth.TestTokens.NOW;
import static io.pulsebase.core.auth.TestTokens.SECRET;
import static io.pulsebase.core.auth.TestTokens.claims;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a client presents, verification returns an identity or throws {@code unauthorized}: never another
 * exception, never a message quoting the input, never a hang (each call runs under a generous guard; this is
 * no timing assertion). Mutated valid tokens verify only as the original caller.
 */
class TokenFuzzProperties {
    private static final KeyPair RSA = TestTokens.rsa();
    private static final KeyPair EC = TestTokens.ec("secp256r1");
    private static final CompositeAuthenticator AUTH = CompositeAuthenticator.from(
            CompositeAuthenticatorTest.full().publicKeyPem(TestTokens.pem(RSA.getPublic()))
                    .publicKeyPem(TestTokens.pem(EC.getPublic())).audience("pulsebase").issuer("https://id.example")
                    .build(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();

    private static List<String> validTokens() {
        var c = claims().audience("pulsebase").issuer("https://id.example").build();
        return List.of(TestTokens.hs256(SECRET, c), TestTokens.sign(RSA, "r1", c), TestTokens.sign(EC, "e1", c));
    }

    private static final List<String> VALID = validTokens();

    @Property(tries = 1000)
    void arbitraryTextInEverySlotIsRefused(@ForAll String text) {
        for (Credentials c : List.of(new Credentials(text, null, null), Credentials.ofToken(text),
                Credentials.ofApiKey(text), new Credentials(text, null, text))) {
            Identity id = outcome(c, text);
            assertThat(id).as("random text verified").isNull();
        }
    }

    @Property(tries = 1000)
    void randomSegmentsAreRefused(@ForAll("segments") List<byte[]> segments) {
        StringBuilder token = new StringBuilder();
        for (byte[] s : segments) {
            token.append(token.isEmpty() ? "" : ".").append(ENC.encodeToString(s));
        }
        assertThat(outcome(Credentials.ofToken(token.toString()), token.toString())).isNull();
    }

    @Property(tries = 1000)
    void hostileHeadersAreRefused(@ForAll("headers") String header, @ForAll("payloads") String payload,
                                  @ForAll byte[] signature) {
        String token = TestTokens.raw(header, payload, ENC.encodeToString(signature));
        assertThat(outcome(Credentials.ofToken(token), token)).isNull();
    }

    @Property(tries = 1500)
    void mutatedValidTokensVerifyOnlyAsTheOriginalCaller(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        String original = VALID.get(random.nextInt(VALID.size()));
        StringBuilder t = new StringBuilder(original);
        int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations && !t.isEmpty(); m++) {
            int at = random.nextInt(t.length());
            char c = random.nextInt(10) == 0 ? '.' : B64URL.charAt(random.nextInt(B64URL.length()));
            switch (random.nextInt(6)) {
                case 0 -> t.deleteCharAt(at);
                case 1 -> t.insert(at, c);
                case 2 -> t.setLength(at);
                case 3 -> t.insert(at, t.substring(at, Math.min(t.length(), at + random.nextInt(1, 40))));
                case 4 -> t.setCharAt(at, c);
                default -> {
                    String[] parts = t.toString().split("\\.", -1);
                    if (parts.length == 3) { // splice a segment from another valid token
                        String[] other = VALID.get(random.nextInt(VALID.size())).split("\\.");
                        int i = random.nextInt(3);
                        parts[i] = other[i];
                        t = new StringBuilder(String.join(".", parts));
                    }
                }
            }
        }
        String token = t.toString();
        Identity id = outcome(Credentials.ofToken(token), token);
        if (id != null) { // e.g. a change in a signature's unused trailing bits: still the same caller
            assertThat(id.subject()).isEqualTo("user-1");
            assertThat(id.account()).isEqualTo("acme");
        }
    }

    @Provide
    Arbitrary<List<byte[]>> segments() {
        Arbitrary<byte[]> bytes = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64),
                Arbitraries.strings().withChars("{}[]\":,0123456789.-eEtrufalsn \\alg").ofMaxLength(64)
                        .map(String::getBytes));
        return bytes.list().ofMinSize(1).ofMaxSize(6);
    }

    @Provide
    Arbitrary<String> headers() {
        Arbitrary<String> alg = Arbitraries.of("\"none\"", "\"HS256\"", "\"RS256\"", "\"ES256\"", "\"HS512\"",
                "\"PS256\"", "\"EdDSA\"", "\"\"", "1", "null", "[\"HS256\"]", "{}");
        Arbitrary<String> extra = Arbitraries.of("", ",\"kid\":\"r1\"", ",\"kid\":\"../../etc\"", ",\"typ\":\"JWT\"",
                ",\"typ\":7", ",\"crit\":[\"b64\"],\"b64\":false", ",\"crit\":[\"exp\"]", ",\"jku\":\"http://127.0.0.1:1/\"",
                ",\"jwk\":{\"kty\":\"oct\",\"k\":\"AAAA\"}", ",\"x5c\":[\"AAAA\"]", ",\"zip\":\"DEF\"", ",\"enc\":\"A128GCM\"");
        return Arbitraries.of("{\"alg\":%s%s}", "{\"alg\":%s%s", "[%s%s]", "{\"alg\":%s%s,\"alg\":\"none\"}")
                .flatMap(f -> alg.flatMap(a -> extra.map(e -> f.formatted(a, e))));
    }

    @Provide
    Arbitrary<String> payloads() {
        Arbitrary<String> value = Arbitraries.of("1", "-1", "1e400", "9223372036854775808", "\"x\"", "null", "[]",
                "{}", "true", "\"acme\"", "\"user-1\"", "[\"pulsebase\"]", "1.5");
        Arbitrary<String> name = Arbitraries.of("sub", "exp", "nbf", "iat", "aud", "iss", "account", "x");
        return Arbitraries.lazy(() -> name.flatMap(n -> value.map(v -> "\"" + n + "\":" + v)))
                .list().ofMaxSize(8).map(l -> "{" + String.join(",", l) + "}");
    }

    /** Runs one authentication; returns the identity, or null after checking the refusal. */
    private static Identity outcome(Credentials credentials, String input) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try {
                return AUTH.authenticate(credentials);
            } catch (ProtocolException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAUTHORIZED);
                assertThat(e.getCause()).isNull();
                Refused.assertNoSecret(e.getMessage(), input);
                Refused.assertNoSecret(e.getMessage(), SECRET);
                return null;
            }
        });
    }
}
