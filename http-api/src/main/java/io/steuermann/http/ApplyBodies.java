package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Reads the body of a server-side apply ({@code application/apply-patch+yaml}): JSON, as
 * kubectl sends it, or YAML, as people and other clients do.
 */
final class ApplyBodies {
  static final String MEDIA_TYPE = "application/apply-patch+yaml";

  private ApplyBodies() {}

  /** The applied configuration as JSON, or the refusal. */
  static RequestBodies.Body parse(byte[] bytes) {
    try {
      return new RequestBodies.Body(Json.parse(bytes), null);
    } catch (IOException notJson) {
      // not JSON: YAML then
    }
    try {
      Object document = yaml().load(new String(bytes, StandardCharsets.UTF_8));
      JsonNode json = Json.MAPPER.valueToTree(document);
      return new RequestBodies.Body(json, null);
    } catch (YAMLException | IllegalArgumentException e) {
      return new RequestBodies.Body(null, ApiStatus.badRequest(
          "error decoding YAML: " + firstLine(e.getMessage())));
    }
  }

  /**
   * A safe loader (no arbitrary types) that leaves timestamps as strings: in Kubernetes
   * objects they are strings, and YAML 1.1's implicit dates would turn them into Dates.
   */
  private static Yaml yaml() {
    LoaderOptions options = new LoaderOptions();
    Resolver noTimestamps = new Resolver() {
      @Override
      public void addImplicitResolver(org.yaml.snakeyaml.nodes.Tag tag, java.util.regex.Pattern regexp,
          String first) {
        addImplicitResolver(tag, regexp, first, 1024);
      }

      @Override
      public void addImplicitResolver(org.yaml.snakeyaml.nodes.Tag tag, java.util.regex.Pattern regexp,
          String first, int limit) {
        if (!org.yaml.snakeyaml.nodes.Tag.TIMESTAMP.equals(tag)) {
          super.addImplicitResolver(tag, regexp, first, limit);
        }
      }
    };
    org.yaml.snakeyaml.DumperOptions dumper = new org.yaml.snakeyaml.DumperOptions();
    return new Yaml(new SafeConstructor(options), new Representer(dumper), dumper, options, noTimestamps);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
