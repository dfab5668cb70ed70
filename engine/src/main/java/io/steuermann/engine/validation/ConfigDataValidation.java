package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kubernetes' checks of ConfigMaps and Secrets ({@code ValidateConfigMap}, {@code ValidateSecret}
 * and their update variants in {@code pkg/apis/core/validation}), worded as kube-apiserver words
 * them. A Secret's values are never echoed: where Kubernetes names a value it says
 * {@code <secret contents redacted>}.
 */
public final class ConfigDataValidation {
  /** {@code core.MaxSecretSize}, the limit for both kinds. */
  public static final int MAX_SIZE = 1024 * 1024;
  public static final String REDACTED = "<secret contents redacted>";
  private static final String KEY_FMT = "[-._a-zA-Z0-9]+";
  private static final Pattern KEY = Pattern.compile(KEY_FMT);
  private static final String IMMUTABLE = "field is immutable when `immutable` is set";
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

  private ConfigDataValidation() {}

  /** {@code IsConfigMapKey}: the problems of one key of {@code data} or {@code binaryData}. */
  public static List<String> configKey(String key) {
    List<String> problems = new ArrayList<>();
    if (key.length() > 253) {
      problems.add(Names.maxLenError(253));
    }
    if (!KEY.matcher(key).matches()) {
      problems.add(Names.regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
          KEY_FMT, "key.name", "KEY_NAME", "key_name"));
    }
    if (key.equals(".")) {
      problems.add("must not be '.'");
    } else if (key.equals("..")) {
      problems.add("must not be '..'");
    } else if (key.startsWith("..")) {
      problems.add("must not start with '..'");
    }
    return problems;
  }

  /** A ConfigMap: keys, a key in both bags, base64 of {@code binaryData}, the total size. */
  public static List<FieldError> configMap(JsonNode cm) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode data = cm.path("data");
    JsonNode binary = cm.path("binaryData");
    long size = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      keyErrors("data", e.getKey(), errors);
      if (binary.has(e.getKey())) {
        errors.add(FieldError.invalid(at("data", e.getKey()), e.getKey(), "duplicate of key present in binaryData"));
      }
      size += e.getValue().asText("").getBytes(StandardCharsets.UTF_8).length;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = binary.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      keyErrors("binaryData", e.getKey(), errors);
      if (data.has(e.getKey())) {
        errors.add(FieldError.invalid(at("binaryData", e.getKey()), e.getKey(), "duplicate of key present in data"));
      }
      size += decodedLength(at("binaryData", e.getKey()), e.getValue(), e.getKey(), errors);
    }
    if (size > MAX_SIZE) {
      // Kubernetes names no field: the limit is the whole object's
      errors.add(FieldError.tooLong("", null, MAX_SIZE));
    }
    return errors;
  }

  /** A ConfigMap update: with {@code immutable: true} nothing of its data may change. */
  public static List<FieldError> configMapUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    if (old.path("immutable").asBoolean(false)) {
      if (!updated.path("immutable").asBoolean(false)) {
        errors.add(FieldError.forbidden("immutable", IMMUTABLE));
      }
      if (!Objects.equals(bag(old, "data"), bag(updated, "data"))) {
        errors.add(FieldError.forbidden("data", IMMUTABLE));
      }
      if (!Objects.equals(bag(old, "binaryData"), bag(updated, "binaryData"))) {
        errors.add(FieldError.forbidden("binaryData", IMMUTABLE));
      }
    }
    return errors;
  }

  /** A Secret (after {@code stringData} is folded into {@code data}): keys, base64, size, the type's keys. */
  public static List<FieldError> secret(JsonNode secret) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode data = secret.path("data");
    long size = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      keyErrors("data", e.getKey(), errors);
      size += decodedLength(at("data", e.getKey()), e.getValue(), REDACTED, errors);
    }
    if (size > MAX_SIZE) {
      errors.add(FieldError.tooLong("data", null, MAX_SIZE));
    }
    String type = secret.path("type").asText("");
    switch (type) {
      case "kubernetes.io/service-account-token" -> {
        if (secret.path("metadata").path("annotations").path("kubernetes.io/service-account.name").asText("").isEmpty()) {
          errors.add(FieldError.required("metadata.annotations[kubernetes.io/service-account.name]", ""));
        }
      }
      case "kubernetes.io/dockercfg" -> json(data, ".dockercfg", errors);
      case "kubernetes.io/dockerconfigjson" -> json(data, ".dockerconfigjson", errors);
      case "kubernetes.io/basic-auth" -> {
        // either may be empty, but one of them must be there
        if (!data.has("username") && !data.has("password")) {
          errors.add(FieldError.required("data[%s][username]", ""));
          errors.add(FieldError.required("data[%s][password]", ""));
        }
      }
      case "kubernetes.io/ssh-auth" -> {
        if (data.path("ssh-privatekey").asText("").isEmpty()) {
          errors.add(FieldError.required("data[%s][ssh-privatekey]", ""));
        }
      }
      case "kubernetes.io/tls" -> {
        if (!data.has("tls.crt")) {
          errors.add(FieldError.required("data[tls.crt]", ""));
        }
        if (!data.has("tls.key")) {
          errors.add(FieldError.required("data[tls.key]", ""));
        }
      }
      default -> { }
    }
    return errors;
  }

  /** A Secret update: the type never changes; with {@code immutable: true} neither does its data. */
  public static List<FieldError> secretUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    String before = old.path("type").asText("");
    String after = updated.path("type").asText("");
    if (!before.equals(after)) {
      errors.add(FieldError.invalid("type", after, "field is immutable"));
    }
    if (old.path("immutable").asBoolean(false)) {
      if (!updated.path("immutable").asBoolean(false)) {
        errors.add(FieldError.forbidden("immutable", IMMUTABLE));
      }
      if (!Objects.equals(bag(old, "data"), bag(updated, "data"))) {
        errors.add(FieldError.forbidden("data", IMMUTABLE));
      }
    }
    return errors;
  }

  private static JsonNode bag(JsonNode object, String field) {
    JsonNode bag = object.get(field);
    // Go cannot tell an absent map from an empty one
    return bag == null || bag.isNull() || bag.isEmpty() ? null : bag;
  }

  private static void json(JsonNode data, String key, List<FieldError> errors) {
    JsonNode value = data.get(key);
    if (value == null) {
      errors.add(FieldError.required(at("data", key), ""));
      return;
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value.asText(""));
    } catch (IllegalArgumentException e) {
      return; // refused as bad base64 already
    }
    try {
      JsonNode parsed = JSON.readTree(bytes);
      if (parsed == null || !parsed.isObject()) {
        errors.add(FieldError.invalid(at("data", key), REDACTED, "json: cannot unmarshal into a map"));
      }
    } catch (java.io.IOException e) {
      errors.add(FieldError.invalid(at("data", key), REDACTED, "invalid JSON"));
    }
  }

  private static long decodedLength(String field, JsonNode value, Object shown, List<FieldError> errors) {
    try {
      return Base64.getDecoder().decode(value.asText("")).length;
    } catch (IllegalArgumentException e) {
      // kube-apiserver's decoder refuses it with Go's message; the value itself is never shown
      errors.add(FieldError.invalid(field, shown, "illegal base64 data"));
      return 0;
    }
  }

  private static void keyErrors(String bag, String key, List<FieldError> errors) {
    for (String problem : configKey(key)) {
      errors.add(FieldError.invalid(at(bag, key), key, problem));
    }
  }

  private static String at(String bag, String key) {
    return bag + "[" + key + "]";
  }
}
