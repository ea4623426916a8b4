package io.pulsebase.core.auth;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed RSA certificate and its private key, made by the JDK's own {@code keytool} at test time (the
 * JDK has no public API to issue a certificate, and no test key is checked in).
 */
record TestCertificate(String pem, PrivateKey privateKey) {
    static TestCertificate create() throws Exception {
        Path dir = Files.createTempDirectory("pb-cert");
        Path store = dir.resolve("test.p12");
        char[] password = "test-password".toCharArray();
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "t", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=pulsebase-test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", store.toString(), "-storepass", new String(password))
                .redirectErrorStream(true).redirectOutput(dir.resolve("keytool.log").toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("keytool failed: " + Files.readString(dir.resolve("keytool.log")));
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, password);
        }
        Certificate cert = ks.getCertificate("t");
        PrivateKey key = (PrivateKey) ks.getKey("t", password);
        Files.delete(store);
        Files.delete(dir.resolve("keytool.log"));
        Files.delete(dir);
        String pem = "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
        return new TestCertificate(pem, key);
    }
}
