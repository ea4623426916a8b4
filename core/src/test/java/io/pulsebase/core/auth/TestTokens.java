package io.pulsebase.core.auth;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.function.Consumer;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Keys and signed tokens for the tests, made with the JDK and Nimbus; nothing is read from disk. */
final class TestTokens {
    static final String SECRET = "an-hs256-secret-of-at-least-32-bytes-0123456789";
    static final String OTHER_SECRET = "another-hs256-secret-also-32-bytes-or-more-xyz";
    static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");

    private TestTokens() {}

    static KeyPair rsa() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static KeyPair ec(String curve) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec(curve));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    static JWK jwk(KeyPair pair, String kid) {
        if (pair.getPublic() instanceof RSAPublicKey rsa) {
            return new RSAKey.Builder(rsa).keyID(kid).build();
        }
        return new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).keyID(kid).build();
    }

    /** Claims valid at {@link #NOW}: a user in account "acme", an hour left. */
    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject("user-1")
                .claim("account", "acme")
                .issueTime(Date.from(NOW.minusSeconds(60)))
                .expirationTime(Date.from(NOW.plusSeconds(3600)));
    }

    static String hs256(String secret, JWTClaimsSet claims) {
        try {
            return sign(JWSAlgorithm.HS256, null, new MACSigner(secret.getBytes()), claims, h -> {});
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(KeyPair pair, String kid, JWTClaimsSet claims) {
        return sign(pair.getPrivate(), kid, claims, h -> {});
    }

    static String sign(PrivateKey key, String kid, JWTClaimsSet claims, Consumer<JWSHeader.Builder> header) {
        if (key instanceof RSAPrivateKey rsa) {
            return sign(JWSAlgorithm.RS256, kid, new RSASSASigner(rsa), claims, header);
        }
        try {
            return sign(JWSAlgorithm.ES256, kid, new ECDSASigner((ECPrivateKey) key), claims, header);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sign(JWSAlgorithm alg, String kid, JWSSigner signer, JWTClaimsSet claims,
                       Consumer<JWSHeader.Builder> header) {
        JWSHeader.Builder h = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT).keyID(kid);
        header.accept(h);
        SignedJWT jwt = new SignedJWT(h.build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** A compact token from raw header and payload JSON, with the given signature part. */
    static String raw(String headerJson, String payloadJson, String signature) {
        Base64.Encoder b = Base64.getUrlEncoder().withoutPadding();
        return b.encodeToString(headerJson.getBytes()) + "." + b.encodeToString(payloadJson.getBytes()) + "."
                + signature;
    }

    static Map<String, Object> json(JWTClaimsSet claims) {
        return claims.toJSONObject();
    }
}
