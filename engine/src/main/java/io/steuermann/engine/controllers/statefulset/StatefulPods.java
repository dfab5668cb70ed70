package io.steuermann.engine.controllers.statefulset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.controllers.daemonset.DaemonRevisions;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A StatefulSet's pods and claims as Kubernetes' {@code newVersionedStatefulSetPod} and
 * {@code getPersistentVolumeClaims} make them: the pod {@code <set>-<ordinal>} with the template's
 * labels plus {@code statefulset.kubernetes.io/pod-name}, {@code apps.kubernetes.io/pod-index}
 * and {@code controller-revision-hash} (the revision's name), {@code hostname} its name and
 * {@code subdomain} the governing Service, so the cluster DNS answers
 * {@code <pod>.<service>.<ns>.svc}; each claim template {@code <claim>-<set>-<ordinal>}, mounted
 * as the volume named after the template, labelled with the selector's labels.
 */
public final class StatefulPods {
  public static final String POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
  public static final String POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

  private StatefulPods() {}

  public static String podName(JsonNode set, int ordinal) {
    return Meta.name(set) + "-" + ordinal;
  }

  public static String claimName(String template, JsonNode set, int ordinal) {
    return template + "-" + podName(set, ordinal);
  }

  /** The pod for {@code ordinal} from {@code template} (the template of the revision it is made at). */
  public static ObjectNode pod(JsonNode set, JsonNode template, int ordinal, String revisionName) {
    String name = podName(set, ordinal);
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    meta.put("name", name);
    meta.put("namespace", Meta.namespace(set));
    ObjectNode labels = template.path("metadata").path("labels").isObject()
        ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy() : Json.object();
    labels.put(POD_NAME_LABEL, name);
    labels.put(POD_INDEX_LABEL, Integer.toString(ordinal));
    labels.put(DaemonRevisions.HASH_LABEL, revisionName);
    meta.set("labels", labels);
    if (template.path("metadata").path("annotations").isObject()) {
      meta.set("annotations", template.path("metadata").path("annotations").deepCopy());
    }
    Owners.setController(meta, set);
    ObjectNode spec = template.path("spec").isObject() ? ((ObjectNode) template.get("spec")).deepCopy() : Json.object();
    spec.put("hostname", name);
    String service = set.path("spec").path("serviceName").asText("");
    if (!service.isEmpty()) {
      spec.put("subdomain", service);
    }
    ArrayNode volumes = Json.object().arrayNode();
    List<String> claimTemplates = claimTemplateNames(set);
    for (JsonNode v : spec.path("volumes")) {
      // a claim template replaces the template's volume of the same name
      if (!claimTemplates.contains(v.path("name").asText())) {
        volumes.add(v);
      }
    }
    for (String claim : claimTemplates) {
      ObjectNode v = volumes.addObject();
      v.put("name", claim);
      v.putObject("persistentVolumeClaim").put("claimName", claimName(claim, set, ordinal));
    }
    if (!volumes.isEmpty()) {
      spec.set("volumes", volumes);
    }
    pod.set("spec", spec);
    return pod;
  }

  public static List<String> claimTemplateNames(JsonNode set) {
    List<String> names = new ArrayList<>();
    for (JsonNode t : set.path("spec").path("volumeClaimTemplates")) {
      names.add(t.path("metadata").path("name").asText());
    }
    return names;
  }

  /** The claims of the pod {@code ordinal}, owned by the set when {@code whenDeleted} is Delete. */
  public static List<ObjectNode> claims(JsonNode set, int ordinal) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode t : set.path("spec").path("volumeClaimTemplates")) {
      ObjectNode claim = Json.object();
      claim.put("apiVersion", "v1");
      claim.put("kind", "PersistentVolumeClaim");
      ObjectNode meta = claim.putObject("metadata");
      meta.put("name", claimName(t.path("metadata").path("name").asText(), set, ordinal));
      meta.put("namespace", Meta.namespace(set));
      ObjectNode labels = t.path("metadata").path("labels").isObject()
          ? ((ObjectNode) t.path("metadata").path("labels")).deepCopy() : Json.object();
      set.path("spec").path("selector").path("matchLabels").fields()
          .forEachRemaining(e -> labels.set(e.getKey(), e.getValue()));
      meta.set("labels", labels);
      if (t.path("metadata").path("annotations").isObject()) {
        meta.set("annotations", t.path("metadata").path("annotations").deepCopy());
      }
      if (deletesWhen(set, "whenDeleted")) {
        meta.putArray("ownerReferences").add(ownerRef(set));
      }
      claim.set("spec", t.path("spec").deepCopy());
      out.add(claim);
    }
    return out;
  }

  /** Whether the retention policy says Delete for {@code when} ({@code whenDeleted}, {@code whenScaled}). */
  public static boolean deletesWhen(JsonNode set, String when) {
    return "Delete".equals(set.path("spec").path("persistentVolumeClaimRetentionPolicy").path(when).asText(""));
  }

  /**
   * The owner references a claim should carry, as Kubernetes 1.32's {@code updateClaimOwnerRefForSetAndPod}:
   * the condemned pod's when {@code whenScaled} is Delete (the claim goes with it), else the set's when
   * {@code whenDeleted} is Delete, else none. Kubernetes writes them as controller references.
   */
  public static List<ObjectNode> claimOwners(JsonNode set, JsonNode pod, boolean condemned) {
    if (condemned && deletesWhen(set, "whenScaled") && pod != null) {
      return List.of(ownerRef(pod));
    }
    if (deletesWhen(set, "whenDeleted")) {
      return List.of(ownerRef(set));
    }
    return List.of();
  }

  /**
   * The merge patch that gives {@code claim} the {@code wanted} references to the set and the pod
   * (others kept; a claim another controller controls keeps only that, as Kubernetes'
   * {@code hasUnexpectedController}), or empty when it has them.
   */
  public static Optional<ObjectNode> ownerPatch(JsonNode claim, JsonNode set, JsonNode pod, List<ObjectNode> wanted) {
    ArrayNode refs = Json.object().arrayNode();
    boolean otherController = false;
    for (JsonNode ref : claim.path("metadata").path("ownerReferences")) {
      String uid = ref.path("uid").asText();
      if (!uid.equals(Meta.uid(set)) && !uid.equals(Meta.uid(pod))) {
        refs.add(ref);
        otherController |= ref.path("controller").asBoolean(false);
      }
    }
    if (!otherController) {
      wanted.forEach(refs::add);
    }
    JsonNode before = claim.path("metadata").path("ownerReferences");
    if (refs.equals(before) || refs.isEmpty() && before.isMissingNode()) {
      return Optional.empty();
    }
    ObjectNode patch = Json.object();
    ObjectNode meta = patch.putObject("metadata");
    meta.put("resourceVersion", Meta.resourceVersion(claim));
    meta.set("ownerReferences", refs);
    return Optional.of(patch);
  }

  private static ObjectNode ownerRef(JsonNode owner) {
    ObjectNode ref = Owners.controllerRef(owner);
    if (!ref.path("apiVersion").asText().isEmpty()) {
      return ref;
    }
    // a pod from a watch carries its type; this is for one that does not
    ref.put("apiVersion", "v1");
    ref.put("kind", "Pod");
    return ref;
  }
}
