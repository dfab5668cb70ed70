package io.steuermann.engine.controllers.logic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The {@code pod-template-hash} a Deployment gives each of its ReplicaSets, shaped like
 * Kubernetes' {@code controller.ComputeHash}: FNV-1a 32-bit over the pod template, then the
 * collision count (when set) as 8 little-endian bytes, and the decimal value of the hash
 * rendered with {@code rand.SafeEncodeString} (each digit mapped into an alphabet without
 * vowels, so hashes never spell words; e.g. {@code "5d4f8b9c7"}).
 *
 * <p>Kubernetes hashes Go's debug printing of the template struct, which cannot be reproduced
 * outside Go, so the same template gets a different hash here than in Kubernetes. We hash the
 * template's canonical JSON instead (object keys sorted, no whitespace): stable across
 * processes and independent of the field order a client sent.
 */
public final class PodTemplateHash {
  /** The label (and ReplicaSet selector key) carrying the hash. */
  public static final String LABEL = "pod-template-hash";

  // Kubernetes' rand.alphanums: no vowels and no confusable characters (0, 1, 3).
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  // Sorted keys make the serialisation canonical; the mapper is immutable once built.
  private static final ObjectMapper CANONICAL = JsonMapper.builder()
      .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private PodTemplateHash() {}

  /** The hash of a Deployment's {@code spec.template}. */
  public static String compute(JsonNode template) {
    return compute(template, null);
  }

  /**
   * The hash with {@code status.collisionCount} mixed in; Kubernetes bumps the collision count
   * when a ReplicaSet with the computed name already exists with a different template.
   */
  public static String compute(JsonNode template, Integer collisionCount) {
    int h = FNV_OFFSET;
    h = fnv(h, canonical(template).getBytes(StandardCharsets.UTF_8));
    if (collisionCount != null) {
      int c = collisionCount;
      byte[] le = {(byte) c, (byte) (c >>> 8), (byte) (c >>> 16), (byte) (c >>> 24), 0, 0, 0, 0};
      h = fnv(h, le);
    }
    return safeEncode(Integer.toUnsignedString(h));
  }

  /** Kubernetes' {@code rand.SafeEncodeString}: each byte mapped to {@code alphanums[b % 27]}. */
  public static String safeEncode(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      sb.append(ALPHANUMS.charAt((b & 0xff) % ALPHANUMS.length()));
    }
    return sb.toString();
  }

  /** The template as JSON with object keys sorted at every level. */
  static String canonical(JsonNode node) {
    try {
      Object plain = CANONICAL.treeToValue(node, Object.class);
      return CANONICAL.writeValueAsString(plain);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static final int FNV_OFFSET = 0x811c9dc5;
  private static final int FNV_PRIME = 0x01000193;

  private static int fnv(int h, byte[] bytes) {
    for (byte b : bytes) {
      h ^= b & 0xff;
      h *= FNV_PRIME;
    }
    return h;
  }
}
