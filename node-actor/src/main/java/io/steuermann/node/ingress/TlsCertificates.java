package io.steuermann.node.ingress;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The certificate and key of a {@code kubernetes.io/tls} Secret ({@code tls.crt}: a PEM chain,
 * leaf first; {@code tls.key}: a PEM key), read with the JDK alone: PKCS#8 keys
 * ({@code BEGIN PRIVATE KEY}, RSA, EC or EdDSA) and PKCS#1 RSA keys ({@code BEGIN RSA
 * PRIVATE KEY}, wrapped into PKCS#8 here). SEC1 EC keys ({@code BEGIN EC PRIVATE KEY}) are
 * refused with the conversion to use.
 */
public final class TlsCertificates {
  public static final String TLS_TYPE = "kubernetes.io/tls";
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  /** The DER of {@code AlgorithmIdentifier { rsaEncryption, NULL }}. */
  private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");

  private TlsCertificates() {}

  /** A key and its chain; {@code alias} names it to the TLS engine (the leaf's SHA-256). */
  public record KeyEntry(String alias, PrivateKey key, X509Certificate[] chain) {}

  /** The Secret's certificate, or empty when it is not of type kubernetes.io/tls; bad PEM throws. */
  public static Optional<KeyEntry> fromSecret(JsonNode secret) {
    if (!TLS_TYPE.equals(secret.path("type").asText())) {
      return Optional.empty();
    }
    String crt = decode(secret.path("data").path("tls.crt").asText(""), "tls.crt");
    String key = decode(secret.path("data").path("tls.key").asText(""), "tls.key");
    return Optional.of(parse(crt, key));
  }

  /** A PEM chain and a PEM key. */
  public static KeyEntry parse(String chainPem, String keyPem) {
    X509Certificate[] chain;
    try {
      chain = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(chainPem.getBytes(StandardCharsets.US_ASCII)))
          .stream().map(c -> (X509Certificate) c).toArray(X509Certificate[]::new);
    } catch (CertificateException e) {
      throw new IllegalArgumentException("tls.crt is not a PEM certificate chain: " + e.getMessage());
    }
    if (chain.length == 0) {
      throw new IllegalArgumentException("tls.crt holds no certificate");
    }
    Matcher m = PEM.matcher(keyPem);
    if (!m.find()) {
      throw new IllegalArgumentException("tls.key holds no PEM key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
    PrivateKey key = switch (m.group(1)) {
      case "PRIVATE KEY" -> pkcs8(der);
      case "RSA PRIVATE KEY" -> pkcs8(sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM, tagged(0x04, der))));
      case "EC PRIVATE KEY" -> throw new IllegalArgumentException(
          "tls.key is a SEC1 EC key; convert it with: openssl pkcs8 -topk8 -nocrypt");
      default -> throw new IllegalArgumentException("tls.key: unsupported PEM type " + m.group(1));
    };
    return new KeyEntry(fingerprint(chain[0]), key, chain);
  }

  private static PrivateKey pkcs8(byte[] der) {
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "Ed448")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (InvalidKeySpecException | NoSuchAlgorithmException e) {
        // the next algorithm
      }
    }
    throw new IllegalArgumentException("tls.key is not an RSA, EC or EdDSA private key");
  }

  private static String decode(String base64, String field) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(field + " is not base64");
    }
  }

  private static String fingerprint(X509Certificate certificate) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
    } catch (Exception e) {
      throw new IllegalArgumentException("tls.crt: " + e.getMessage());
    }
  }

  private static byte[] sequence(byte[] content) {
    return tagged(0x30, content);
  }

  /** DER tag, definite length, content. */
  private static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((n >>> (8 * i)) & 0xff);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
