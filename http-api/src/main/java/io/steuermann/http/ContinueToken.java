package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The {@code continue} of a paged list: the version the first page was taken at and the key
 * of the last object sent. It has kube-apiserver's shape (base64url of
 * {@code {"v":"meta.k8s.io/v1","rv":N,"start":"namespace/name"}}), is opaque to clients, and
 * needs no state on the server: any member can serve the next page from its own cache.
 */
record ContinueToken(long resourceVersion, String start) {
  private static final String VERSION = "meta.k8s.io/v1";

  static ContinueToken after(long resourceVersion, ObjectKey last) {
    return new ContinueToken(resourceVersion, last.namespace().isEmpty() ? last.name()
        : last.namespace() + "/" + last.name());
  }

  String encode() {
    ObjectNode json = Json.object();
    json.put("v", VERSION);
    json.put("rv", resourceVersion);
    json.put("start", start);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.bytes(json));
  }

  /** @throws IllegalArgumentException with kube-apiserver's words, for a 400 */
  static ContinueToken decode(String token) {
    JsonNode json;
    try {
      json = Json.parse(new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8));
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new IllegalArgumentException("continue key is not valid: " + e.getMessage());
    }
    if (!VERSION.equals(json.path("v").asText())) {
      throw new IllegalArgumentException("continue key is not valid: incorrect encoded start resourceVersion"
          + " (version " + VERSION + " expected)");
    }
    long rv = json.path("rv").asLong(0);
    if (rv <= 0 || !json.path("start").isTextual()) {
      throw new IllegalArgumentException("continue key is not valid: incorrect encoded start resourceVersion");
    }
    return new ContinueToken(rv, json.path("start").asText());
  }

  /** The key after which the next page starts, for a list of {@code kind}. */
  ObjectKey key(Kind kind) {
    int slash = start.indexOf('/');
    if (kind.namespaced() != (slash >= 0)) {
      throw new IllegalArgumentException("continue key is not valid: it belongs to another list");
    }
    return kind.namespaced()
        ? ObjectKey.of(kind, start.substring(0, slash), start.substring(slash + 1))
        : ObjectKey.of(kind, "", start);
  }
}
