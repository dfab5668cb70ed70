package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Resolves a container's {@code envFrom} and {@code env[].valueFrom.configMapKeyRef|secretKeyRef}
 * against the ConfigMaps and Secrets of its namespace, as kubelet's
 * {@code makeEnvironmentVariables} does when it creates the container. The result is the
 * container's spec with plain {@code value}s in their place (escaped, so that no {@code $(VAR)}
 * inside a ConfigMap's value is expanded), so every runtime honours it without knowing of them.
 * A missing reference that is not optional is a {@link Failed} with kubelet's message, which
 * names objects and keys, never values.
 */
public final class ConfigReferences {
  // IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation, on in kube 1.32): printable ASCII
  // but '='; keys of an envFrom source that are not such names are skipped
  private static final Pattern ENV_NAME = Pattern.compile("[\\x20-\\x3c\\x3e-\\x7e]+");

  private ConfigReferences() {}

  /** What a container's references came to. */
  public sealed interface Resolution permits Resolved, Failed {}

  /**
   * The container's spec with every reference replaced by its value (the same spec when it had
   * none), and kubelet's warnings for keys of {@code envFrom} sources that were skipped.
   */
  public record Resolved(ObjectNode spec, List<String> warnings) implements Resolution {
    public Resolved {
      warnings = List.copyOf(warnings);
    }
  }

  /** A reference that cannot be resolved yet: the container waits with {@code CreateContainerConfigError}. */
  public record Failed(String message) implements Resolution {}

  /** Looks up the object of a namespace by name; null when there is none. */
  public interface Lookup {
    JsonNode configMap(String name);

    JsonNode secret(String name);

    /** A PersistentVolumeClaim of the namespace, or null. */
    default JsonNode persistentVolumeClaim(String name) {
      return null;
    }

    /** A PersistentVolume (cluster-wide), or null. */
    default JsonNode persistentVolume(String name) {
      return null;
    }
  }

  /** Whether the container refers to ConfigMaps or Secrets at all. */
  public static boolean hasReferences(JsonNode container) {
    if (container.path("envFrom").size() > 0) {
      return true;
    }
    for (JsonNode e : container.path("env")) {
      JsonNode from = e.path("valueFrom");
      if (from.has("configMapKeyRef") || from.has("secretKeyRef")) {
        return true;
      }
    }
    return false;
  }

  public static Resolution resolve(String namespace, ObjectNode container, Lookup lookup) {
    if (!hasReferences(container)) {
      return new Resolved(container, List.of());
    }
    Map<String, String> fromSources = new LinkedHashMap<>();
    List<String> warnings = new ArrayList<>();
    for (JsonNode source : container.path("envFrom")) {
      String prefix = source.path("prefix").asText("");
      boolean configMap = source.has("configMapRef");
      JsonNode ref = configMap ? source.path("configMapRef") : source.path("secretRef");
      if (ref.isMissingNode()) {
        continue;
      }
      String name = ref.path("name").asText("");
      JsonNode object = configMap ? lookup.configMap(name) : lookup.secret(name);
      if (object == null) {
        if (ref.path("optional").asBoolean(false)) {
          continue;
        }
        return new Failed(notFound(configMap, name));
      }
      Map<String, String> values = configMap ? strings(object.path("data")) : decoded(object.path("data"));
      List<String> invalid = new ArrayList<>();
      values.forEach((key, value) -> {
        String variable = prefix + key;
        if (ENV_NAME.matcher(variable).matches()) {
          fromSources.put(variable, value);
        } else {
          invalid.add(variable);
        }
      });
      if (!invalid.isEmpty()) {
        Collections.sort(invalid);
        warnings.add("Keys [" + String.join(", ", invalid) + "] from the EnvFrom " + (configMap ? "configMap " : "secret ")
            + namespace + "/" + name + " were skipped since they are considered invalid environment variable names.");
      }
    }
    ArrayNode env = container.arrayNode();
    fromSources.forEach((k, v) -> env.addObject().put("name", k).put("value", escape(v)));
    for (JsonNode e : container.path("env")) {
      JsonNode from = e.path("valueFrom");
      boolean configMap = from.has("configMapKeyRef");
      if (!configMap && !from.has("secretKeyRef")) {
        env.add(e.deepCopy());
        continue;
      }
      JsonNode ref = configMap ? from.path("configMapKeyRef") : from.path("secretKeyRef");
      String name = ref.path("name").asText("");
      String key = ref.path("key").asText("");
      boolean optional = ref.path("optional").asBoolean(false);
      JsonNode object = configMap ? lookup.configMap(name) : lookup.secret(name);
      if (object == null) {
        if (optional) {
          continue;
        }
        return new Failed(notFound(configMap, name));
      }
      JsonNode value = object.path("data").get(key);
      if (value == null) {
        if (optional) {
          continue;
        }
        return new Failed("couldn't find key " + key + " in " + (configMap ? "ConfigMap " : "Secret ")
            + namespace + "/" + name);
      }
      String text = configMap ? value.asText("") : decode(value.asText(""));
      env.addObject().put("name", e.path("name").asText("")).put("value", escape(text));
    }
    ObjectNode resolved = container.deepCopy();
    resolved.remove("envFrom");
    resolved.set("env", env);
    return new Resolved(resolved, warnings);
  }

  /** Kubelet's words (its watch-based managers name the resource in the singular). */
  private static String notFound(boolean configMap, String name) {
    return (configMap ? "configmap \"" : "secret \"") + name + "\" not found";
  }

  private static Map<String, String> strings(JsonNode data) {
    Map<String, String> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      values.put(e.getKey(), e.getValue().asText(""));
    }
    return values;
  }

  private static Map<String, String> decoded(JsonNode data) {
    Map<String, String> values = strings(data);
    values.replaceAll((k, v) -> decode(v));
    return values;
  }

  private static String decode(String base64) {
    try {
      return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return ""; // the API refuses such data; an object from before that check reads as empty
    }
  }

  /** A literal for the runtime's {@code $(VAR)} expansion: {@code $$} stands for one {@code $}. */
  private static String escape(String value) {
    return value.replace("$", "$$");
  }
}
