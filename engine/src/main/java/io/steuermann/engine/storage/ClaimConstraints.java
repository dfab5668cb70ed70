package io.steuermann.engine.storage;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.scheduling.NodeAffinity;
import io.steuermann.engine.watch.WatchCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a pod's claims ask of the scheduler, as kube's VolumeBinding plugin: a claim that does
 * not exist, or that is unbound while its class binds at once, keeps the pod unscheduled
 * ({@code pod has unbound immediate PersistentVolumeClaims}); a claim bound to a volume with
 * node affinity limits the pod to the nodes it selects; an unbound claim of a
 * {@code WaitForFirstConsumer} class lets the scheduler choose, and the PV controller then puts
 * the volume there.
 */
public final class ClaimConstraints {
  public static final String AFFINITY_CONFLICT = "node(s) had volume node affinity conflict";

  private ClaimConstraints() {}

  /** The outcome for one pod. */
  public sealed interface Result permits Unschedulable, Placement {}

  /** The pod fits nowhere yet; {@code reason} is kube's words. */
  public record Unschedulable(String reason) implements Result {}

  /** The node affinities of the volumes the pod's claims are bound to (every one must match). */
  public record Placement(List<NodeAffinity> affinities) implements Result {
    public static final Placement ANYWHERE = new Placement(List.of());

    public boolean allows(Map<String, String> nodeLabels, String node) {
      return affinities.stream().allMatch(a -> a.matches(nodeLabels, node));
    }
  }

  public static boolean hasClaims(JsonNode pod) {
    for (JsonNode v : pod.path("spec").path("volumes")) {
      if (v.has("persistentVolumeClaim")) {
        return true;
      }
    }
    return false;
  }

  public static Result of(JsonNode pod, WatchCache cache) {
    if (!hasClaims(pod)) {
      return Placement.ANYWHERE;
    }
    String namespace = Meta.namespace(pod);
    List<NodeAffinity> affinities = new ArrayList<>();
    boolean unboundImmediate = false;
    for (JsonNode v : pod.path("spec").path("volumes")) {
      String name = v.path("persistentVolumeClaim").path("claimName").asText("");
      if (name.isEmpty()) {
        continue;
      }
      JsonNode claim = cache.get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, namespace, name));
      if (claim == null) {
        return new Unschedulable("persistentvolumeclaim \"" + name + "\" not found");
      }
      if (claim.path("metadata").has("deletionTimestamp")) {
        return new Unschedulable("persistentvolumeclaim \"" + name + "\" is being deleted");
      }
      String volume = claim.path("spec").path("volumeName").asText("");
      if (!volume.isEmpty() && "Bound".equals(claim.path("status").path("phase").asText())) {
        JsonNode pv = cache.get(ObjectKey.of(Kind.PERSISTENT_VOLUME, "", volume));
        if (pv == null) {
          return new Unschedulable("persistentvolume \"" + volume + "\" not found");
        }
        VolumeMatch.affinity(pv).ifPresent(affinities::add);
        continue;
      }
      JsonNode sc = StorageClasses.get(cache, StorageClasses.className(claim));
      boolean delayed = sc != null
          && StorageClasses.WAIT_FOR_FIRST_CONSUMER.equals(sc.path("volumeBindingMode").asText());
      if (!delayed) {
        unboundImmediate = true;
      }
      String selected = claim.path("metadata").path("annotations").path(PersistentVolumeController.SELECTED_NODE)
          .asText("");
      if (delayed && !selected.isEmpty()) {
        // the volume is (being) made on that node: the claim's next consumers go there too
        affinities.add(new NodeAffinity(Map.of(), java.util.Optional.of(List.of(new NodeAffinity.Term(List.of(),
            List.of(new NodeAffinity.Expression("metadata.name", "In", List.of(selected))))))));
      }
    }
    return unboundImmediate ? new Unschedulable("pod has unbound immediate PersistentVolumeClaims")
        : new Placement(List.copyOf(affinities));
  }
}
