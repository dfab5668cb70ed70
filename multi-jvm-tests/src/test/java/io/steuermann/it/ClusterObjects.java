package io.steuermann.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Objects and reads the cluster tests share. */
final class ClusterObjects {
  static final String DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments";

  private ClusterObjects() {}

  /** A Deployment {@code name} of {@code replicas} pods labelled {@code app=name}. */
  static ObjectNode deployment(String name, int replicas, String image, int maxSurge, int maxUnavailable) {
    ObjectNode d = ApiClient.JSON.createObjectNode();
    d.put("apiVersion", "apps/v1");
    d.put("kind", "Deployment");
    d.putObject("metadata").put("name", name);
    ObjectNode spec = d.putObject("spec");
    spec.put("replicas", replicas);
    spec.putObject("selector").putObject("matchLabels").put("app", name);
    ObjectNode rolling = spec.putObject("strategy").put("type", "RollingUpdate").putObject("rollingUpdate");
    rolling.put("maxSurge", maxSurge);
    rolling.put("maxUnavailable", maxUnavailable);
    ObjectNode template = spec.putObject("template");
    template.putObject("metadata").putObject("labels").put("app", name);
    ObjectNode container = template.putObject("spec").putArray("containers").addObject();
    container.put("name", "c");
    container.put("image", image);
    return d;
  }

  /** The pods with label {@code app=name}. */
  static List<JsonNode> pods(ApiClient api, String app) {
    ApiClient.Reply reply = api.list(ApiClient.PODS + "?labelSelector=app%3D" + app);
    if (reply.status() != 200) {
      throw new IllegalStateException("list failed: " + reply);
    }
    return reply.items();
  }

  /** Running pods (not being deleted) per node name. */
  static Map<String, Integer> runningPerNode(List<JsonNode> pods) {
    Map<String, Integer> perNode = new HashMap<>();
    for (JsonNode pod : pods) {
      if ("Running".equals(pod.path("status").path("phase").asText())
          && !pod.path("metadata").has("deletionTimestamp")) {
        perNode.merge(pod.path("spec").path("nodeName").asText(), 1, Integer::sum);
      }
    }
    return perNode;
  }

  /** The names of the pods labelled {@code role=write}, with their uids, as member {@code api} lists them. */
  static Map<String, String> writtenPods(ApiClient api) {
    ApiClient.Reply reply = api.list(ApiClient.PODS + "?labelSelector=role%3Dwrite");
    if (reply.status() != 200) {
      throw new IllegalStateException("list failed: " + reply);
    }
    Map<String, String> uids = new HashMap<>();
    for (JsonNode pod : reply.items()) {
      uids.put(pod.path("metadata").path("name").asText(), pod.path("metadata").path("uid").asText());
    }
    return uids;
  }

  /** The acknowledged writes missing from {@code listed} (or there with another uid). */
  static List<String> missing(Map<String, ContinuousWriter.Ack> acknowledged, Map<String, String> listed) {
    List<String> missing = new ArrayList<>();
    acknowledged.forEach((name, ack) -> {
      if (!ack.uid().equals(listed.get(name))) {
        missing.add(name);
      }
    });
    return missing;
  }
}
