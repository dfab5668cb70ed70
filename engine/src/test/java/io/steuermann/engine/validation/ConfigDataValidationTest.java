package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kubernetes' IsConfigMapKey and the ConfigMap/Secret rules, from kube's own cases. */
class ConfigDataValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static List<String> fields(List<FieldError> errors) {
    return errors.stream().map(FieldError::field).toList();
  }

  @Test
  void configKeys() {
    for (String good : List.of("a", "A_b-c.d", ".dot", "..a".substring(1), "x".repeat(253))) {
      assertEquals(List.of(), ConfigDataValidation.configKey(good), good);
    }
    assertEquals(List.of("must not be '.'"), ConfigDataValidation.configKey("."));
    assertEquals(List.of("must not be '..'"), ConfigDataValidation.configKey(".."));
    assertEquals(List.of("must not start with '..'"), ConfigDataValidation.configKey("..a"));
    assertEquals(List.of("must be no more than 253 characters"), ConfigDataValidation.configKey("x".repeat(254)));
    assertEquals(1, ConfigDataValidation.configKey("a/b").size());
    assertEquals(1, ConfigDataValidation.configKey("").size());
  }

  @Test
  void sizeCountsBytesOfDataAndDecodedBinaryData() throws Exception {
    String half = "é".repeat(256 * 1024); // two bytes each: 512 KiB
    assertEquals(List.of(), ConfigDataValidation.configMap(json("{\"data\":{\"a\":\"" + half + "\",\"b\":\"" + half + "\"}}")));
    List<FieldError> over = ConfigDataValidation.configMap(
        json("{\"data\":{\"a\":\"" + half + "\",\"b\":\"" + half + "\"},\"binaryData\":{\"c\":\"AA==\"}}"));
    assertEquals(List.of(FieldError.TOO_LONG), over.stream().map(FieldError::type).toList());
  }

  @Test
  void immutableUpdates() throws Exception {
    JsonNode frozen = json("{\"immutable\":true,\"data\":{\"a\":\"1\"}}");
    assertEquals(List.of(), ConfigDataValidation.configMapUpdate(frozen, json("{\"immutable\":true,\"data\":{\"a\":\"1\"},\"metadata\":{}}")));
    assertEquals(List.of("immutable", "data"), fields(ConfigDataValidation.configMapUpdate(frozen, json("{\"data\":{}}"))));
    assertEquals(List.of("binaryData"), fields(ConfigDataValidation.configMapUpdate(frozen,
        json("{\"immutable\":true,\"data\":{\"a\":\"1\"},\"binaryData\":{\"b\":\"AA==\"}}"))));
    // a mutable one may become immutable
    assertEquals(List.of(), ConfigDataValidation.configMapUpdate(json("{\"data\":{\"a\":\"1\"}}"), frozen));
    JsonNode secret = json("{\"type\":\"Opaque\",\"immutable\":true,\"data\":{\"a\":\"AA==\"}}");
    assertEquals(List.of("type", "data"), fields(ConfigDataValidation.secretUpdate(secret,
        json("{\"type\":\"x/y\",\"immutable\":true,\"data\":{}}"))));
  }

  @Test
  void secretValuesAreNeverShown() throws Exception {
    List<FieldError> errors = ConfigDataValidation.secret(json("{\"data\":{\"k\":\"not base64!\"}}"));
    assertEquals(List.of("data[k]"), fields(errors));
    assertTrue(errors.get(0).message().contains("<secret contents redacted>"), errors.get(0).message());
    assertEquals(List.of(), ConfigDataValidation.secret(json(
        "{\"type\":\"kubernetes.io/dockerconfigjson\",\"data\":{\".dockerconfigjson\":\"e30=\"}}")));
    assertEquals(List.of("metadata.annotations[kubernetes.io/service-account.name]"), fields(ConfigDataValidation.secret(
        json("{\"type\":\"kubernetes.io/service-account-token\"}"))));
  }
}
