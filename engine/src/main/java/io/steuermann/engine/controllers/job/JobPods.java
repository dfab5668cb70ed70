package io.steuermann.engine.controllers.job;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.objects.PodConditions;
import java.time.Instant;
import java.util.Random;

/** The Job's pods: made from its template, and seen as {@link JobPlan.PodView}s. */
public final class JobPods {
  /** The annotation and label that carry an Indexed Job pod's index, as Kubernetes names them. */
  public static final String INDEX = "batch.kubernetes.io/job-completion-index";
  public static final String INDEX_ENV = "JOB_COMPLETION_INDEX";
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  private JobPods() {}

  /**
   * A pod of {@code job}: the template's labels (with the {@code controller-uid} and
   * {@code job-name} labels that defaulting put there), a controller reference, and for an
   * Indexed Job its index as annotation, label, {@code JOB_COMPLETION_INDEX} in every
   * container, and hostname {@code <job>-<index>}. Kubernetes passes the index to the
   * environment through a downward-API reference to the annotation; the value is written
   * here directly, since the node agents resolve only a few downward-API fields.
   */
  public static ObjectNode fromTemplate(ObjectNode job, Integer index, Random random) {
    JsonNode template = job.path("spec").path("template");
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    String prefix = Meta.name(job) + "-" + (index == null ? "" : index + "-");
    meta.put("name", prefix + suffix(random));
    meta.put("generateName", prefix);
    meta.put("namespace", Meta.namespace(job));
    ObjectNode labels = meta.putObject("labels");
    if (template.path("metadata").path("labels").isObject()) {
      labels.setAll((ObjectNode) template.path("metadata").path("labels").deepCopy());
    }
    ObjectNode annotations = meta.putObject("annotations");
    if (template.path("metadata").path("annotations").isObject()) {
      annotations.setAll((ObjectNode) template.path("metadata").path("annotations").deepCopy());
    }
    Owners.setController(meta, job);
    ObjectNode spec = template.path("spec").deepCopy();
    if (index != null) {
      String value = Integer.toString(index);
      labels.put(INDEX, value);
      annotations.put(INDEX, value);
      if (!spec.hasNonNull("hostname")) {
        spec.put("hostname", Meta.name(job) + "-" + value);
      }
      for (String list : new String[] {"initContainers", "containers"}) {
        for (JsonNode c : spec.path(list)) {
          if (c instanceof ObjectNode container) {
            JsonNode env = container.get("env");
            ArrayNode entries = env instanceof ArrayNode a ? a : container.putArray("env");
            entries.addObject().put("name", INDEX_ENV).put("value", value);
          }
        }
      }
    }
    if (annotations.isEmpty()) {
      meta.remove("annotations");
    }
    pod.set("spec", spec);
    return pod;
  }

  /** How the plan sees a pod. */
  public static JobPlan.PodView view(JsonNode pod) {
    JsonNode status = pod.path("status");
    Instant finished = null;
    int restarts = 0;
    for (JsonNode c : status.path("containerStatuses")) {
      restarts += c.path("restartCount").asInt(0);
      Instant at = instant(c.path("state").path("terminated").path("finishedAt").asText(null));
      if (at != null && (finished == null || at.isAfter(finished))) {
        finished = at;
      }
    }
    Instant created = instant(pod.path("metadata").path("creationTimestamp").asText(null));
    String phase = status.path("phase").asText("Pending");
    if (finished == null && ("Failed".equals(phase) || "Succeeded".equals(phase))) {
      finished = created;
    }
    Integer index = null;
    String text = pod.path("metadata").path("annotations").path(INDEX).asText(null);
    if (text != null) {
      try {
        index = Integer.parseInt(text);
      } catch (NumberFormatException e) {
        index = null;
      }
    }
    java.util.List<PodFailurePolicy.Exit> exits = new java.util.ArrayList<>();
    for (String list : new String[] {"initContainerStatuses", "containerStatuses"}) {
      for (JsonNode c : status.path(list)) {
        JsonNode terminated = c.path("state").path("terminated");
        if (terminated.isObject()) {
          exits.add(new PodFailurePolicy.Exit(c.path("name").asText(), terminated.path("exitCode").asInt(0)));
        }
      }
    }
    java.util.Set<String> conditions = new java.util.TreeSet<>();
    status.path("conditions").forEach(c -> conditions.add(c.path("type").asText() + "=" + c.path("status").asText()));
    return new JobPlan.PodView(Meta.name(pod), phase, index, Owners.isTerminating(pod),
        "True".equals(PodConditions.get(status, "Ready")), restarts, finished,
        created == null ? Instant.EPOCH : created, Meta.namespace(pod), java.util.List.copyOf(exits),
        java.util.Set.copyOf(conditions));
  }

  static Instant instant(String text) {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String suffix(Random random) {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return s.toString();
  }
}
