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
 * ({@code BEGIN PRIVATE KEY}, RSA, EC or EdDSA), PKCS#1 RSA keys ({@code BEGIN RSA PRIVATE
 * KEY}) and SEC1 EC keys ({@code BEGIN EC PRIVATE KEY}), the latter two wrapped into PKCS#8 here
 * (cert-manager writes PKCS#1 and SEC1 by default).
 */
public final class TlsCertificates {
  public static final String TLS_TYPE = "kubernetes.io/tls";
  private static final Pattern PEM = Pattern.compile(
      "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
  /** The DER of {@code AlgorithmIdentifier { rsaEncryption, NULL }}. */
  private static final byte[] RSA_ALGORITHM = HexFormat.of().parseHex("300d06092a864886f70d0101010500");
  /** The DER of the OID id-ecPublicKey (1.2.840.10045.2.1). */
  private static final byte[] EC_PUBLIC_KEY = HexFormat.of().parseHex("06072a8648ce3d0201");

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
    boolean found = false;
    while (!found && m.find()) {
      found = m.group(1).endsWith("PRIVATE KEY"); // openssl may put EC PARAMETERS first
    }
    if (!found) {
      throw new IllegalArgumentException("tls.key holds no PEM private key");
    }
    byte[] der = Base64.getMimeDecoder().decode(m.group(2).replaceAll("\\s", ""));
    PrivateKey key = switch (m.group(1)) {
      case "PRIVATE KEY" -> pkcs8(der);
      case "RSA PRIVATE KEY" -> pkcs8(sequence(concat(new byte[] {2, 1, 0}, RSA_ALGORITHM, tagged(0x04, der))));
      case "EC PRIVATE KEY" -> pkcs8(sequence(concat(new byte[] {2, 1, 0},
          sequence(concat(EC_PUBLIC_KEY, sec1Curve(der))), tagged(0x04, der))));
      default -> throw new IllegalArgumentException("tls.key: unsupported PEM type " + m.group(1));
    };
    return new KeyEntry(fingerprint(chain[0]), key, chain);
  }

  /**
   * The named curve's OID (as DER) of a SEC1 {@code ECPrivateKey ::= SEQUENCE { version,
   * privateKey OCTET STRING, [0] parameters, [1] publicKey }}.
   */
  private static byte[] sec1Curve(byte[] der) {
    int[] at = {0};
    header(der, at, 0x30);
    int version = header(der, at, 0x02);
    at[0] += version;
    int privateKey = header(der, at, 0x04);
    at[0] += privateKey;
    if (at[0] < der.length && (der[at[0]] & 0xff) == 0xa0) {
      int length = header(der, at, 0xa0);
      return java.util.Arrays.copyOfRange(der, at[0], at[0] + length);
    }
    throw new IllegalArgumentException("tls.key: a SEC1 EC key without its curve");
  }

  /** Reads the tag (which must be {@code tag}) and length at {@code at}; answers the length, {@code at} on the content. */
  private static int header(byte[] der, int[] at, int tag) {
    if (at[0] + 2 > der.length || (der[at[0]] & 0xff) != tag) {
      throw new IllegalArgumentException("tls.key is not a well-formed SEC1 EC key");
    }
    int first = der[at[0] + 1] & 0xff;
    at[0] += 2;
    if (first < 0x80) {
      return first;
    }
    int length = 0;
    for (int i = 0; i < (first & 0x7f); i++) {
      length = (length << 8) | (der[at[0]++] & 0xff);
    }
    return length;
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
