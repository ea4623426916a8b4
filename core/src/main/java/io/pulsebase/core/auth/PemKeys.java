package io.pulsebase.core.auth;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.nimbusds.jose.jwk.Curve;

/**
 * Reads PEM public keys for RS256 and ES256 with the JDK alone: {@code -----BEGIN PUBLIC KEY-----} (X.509
 * SubjectPublicKeyInfo, what {@code openssl pkey -pubout} writes) and {@code -----BEGIN CERTIFICATE-----}
 * (the certificate's key). Nimbus's own PEM reader needs BouncyCastle, which a server that only verifies does not
 * need. RSA keys must have at least 2048 bits; EC keys must be on P-256 (the ES256 curve). A text may hold
 * several blocks. Private keys are refused: the server only ever needs the public half.
 */
final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");

    private PemKeys() {}

    /**
     * The public keys in {@code pem}.
     *
     * @throws IllegalArgumentException with a message that names the problem, never the key material
     */
    static List<PublicKey> parse(String pem) {
        if (pem == null) {
            throw new IllegalArgumentException("no PEM text");
        }
        List<PublicKey> keys = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("a PEM block is not valid base64");
            }
            keys.add(check(switch (m.group(1)) {
                case "PUBLIC KEY" -> publicKey(der);
                case "CERTIFICATE" -> certificateKey(der);
                default -> throw new IllegalArgumentException("a PEM block is a " + m.group(1)
                        + "; expected PUBLIC KEY or CERTIFICATE (for RSA: openssl pkey -pubout writes one)");
            }));
        }
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no PEM PUBLIC KEY or CERTIFICATE block found");
        }
        return keys;
    }

    private static PublicKey publicKey(byte[] der) {
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // not this algorithm; try the next
            }
        }
        throw new IllegalArgumentException("a PEM PUBLIC KEY is neither an RSA nor an EC key");
    }

    private static PublicKey certificateKey(byte[] der) {
        try {
            return CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("a PEM CERTIFICATE could not be read");
        }
    }

    private static PublicKey check(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            if (rsa.getModulus().bitLength() < 2048) {
                throw new IllegalArgumentException("an RSA key has fewer than 2048 bits");
            }
            return rsa;
        }
        if (key instanceof ECPublicKey ec) {
            if (!Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
                throw new IllegalArgumentException("an EC key is not on P-256, the ES256 curve");
            }
            return ec;
        }
        throw new IllegalArgumentException("a key is neither RSA nor EC");
    }
}
