package io.steuermann.node.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Signature;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys and certificates as openssl writes them, read by the JDK alone; each key proven to match its certificate. */
class TlsCertificatesTest {
  @TempDir
  Path dir;

  private String openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    return out;
  }

  private TlsCertificates.KeyEntry certificateFor(String keyFile, String signature) throws Exception {
    openssl("req", "-x509", "-key", keyFile, "-subj", "/CN=x.test", "-days", "1", "-out", "cert.pem");
    TlsCertificates.KeyEntry entry = TlsCertificates.parse(Files.readString(dir.resolve("cert.pem")),
        Files.readString(dir.resolve(keyFile)));
    Signature signer = Signature.getInstance(signature);
    signer.initSign(entry.key());
    signer.update(new byte[] {1, 2, 3});
    byte[] signed = signer.sign();
    Signature verifier = Signature.getInstance(signature);
    verifier.initVerify(entry.chain()[0].getPublicKey());
    verifier.update(new byte[] {1, 2, 3});
    assertTrue(verifier.verify(signed), "the key belongs to the certificate");
    assertEquals(64, entry.alias().length(), "the leaf's SHA-256");
    return entry;
  }

  @Test
  void pkcs1RsaKeys() throws Exception {
    openssl("genrsa", "-traditional", "-out", "rsa.pem", "2048");
    assertTrue(Files.readString(dir.resolve("rsa.pem")).contains("BEGIN RSA PRIVATE KEY"));
    assertEquals("RSA", certificateFor("rsa.pem", "SHA256withRSA").key().getAlgorithm());
  }

  @Test
  void sec1EcKeysAfterTheirParameters() throws Exception {
    openssl("ecparam", "-genkey", "-name", "prime256v1", "-out", "ec.pem");
    String pem = Files.readString(dir.resolve("ec.pem"));
    assertTrue(pem.indexOf("BEGIN EC PARAMETERS") < pem.indexOf("BEGIN EC PRIVATE KEY"), pem);
    assertEquals("EC", certificateFor("ec.pem", "SHA256withECDSA").key().getAlgorithm());
  }

  @Test
  void pkcs8Keys() throws Exception {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "p8.pem");
    assertTrue(Files.readString(dir.resolve("p8.pem")).contains("BEGIN PRIVATE KEY"));
    assertEquals("EC", certificateFor("p8.pem", "SHA384withECDSA").key().getAlgorithm());
  }

  @Test
  void badInputSaysWhat() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> TlsCertificates.parse("nope", "nope"))
        .getMessage().contains("tls.crt"));
  }
}
