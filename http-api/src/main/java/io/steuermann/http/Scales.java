package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.patch.JsonMergePatch;
import io.steuermann.engine.patch.JsonPatch;
import io.steuermann.engine.selector.LabelSelector;

/** The {@code autoscaling/v1 Scale} view of a ReplicaSet or Deployment. */
final class Scales {
  private Scales() {}

  static ObjectNode toScale(ObjectNode object) {
    ObjectNode scale = Json.object();
    scale.put("kind", "Scale");
    scale.put("apiVersion", "autoscaling/v1");
    ObjectNode meta = scale.putObject("metadata");
    JsonNode source = object.path("metadata");
    for (String field : new String[] {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
      if (source.has(field)) {
        meta.set(field, source.get(field));
      }
    }
    scale.putObject("spec").put("replicas", object.path("spec").path("replicas").asInt(0));
    ObjectNode status = scale.putObject("status");
    status.put("replicas", object.path("status").path("replicas").asInt(0));
    JsonNode selector = object.path("spec").path("selector");
    if (selector.isObject()) {
      status.put("selector", LabelSelector.ofWorkload(object).toString());
    }
    return scale;
  }

  static JsonNode patch(ObjectNode scale, PatchType type, JsonNode patch) {
    return switch (type) {
      case JSON -> JsonPatch.apply(scale, patch);
      case MERGE, STRATEGIC -> JsonMergePatch.apply(scale, patch);
    };
  }
}
