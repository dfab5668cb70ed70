package io.steuermann.engine.controllers.daemonset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.controllers.Owners;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.objects.ObjectCommand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/**
 * Makes a DaemonSet's pods: the template as Kubernetes' {@code CreatePodTemplate} turns it into a
 * daemon pod (its labels plus {@code controller-revision-hash} and {@code pod-template-generation},
 * the automatic tolerations, the pin to one node, a controller reference, the name
 * {@code <ds>-<5 random chars>}), created in slow-start batches 1, 2, 4, ... that stop after a
 * batch with a failure, each create with a deadline, none sent once {@code stillWanted} is false.
 */
final class DaemonPodCreator {
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  private final ControllerContext ctx;
  private final Duration createDeadline;
  private final BooleanSupplier stillWanted;
  // names need to be unique, not unpredictable
  private final Random random = new Random();

  DaemonPodCreator(ControllerContext ctx, Duration createDeadline, BooleanSupplier stillWanted) {
    this.ctx = ctx;
    this.createDeadline = createDeadline;
    this.stillWanted = stillWanted;
  }

  /** The daemon pod for {@code node}, carrying the revision {@code hash}. */
  ObjectNode podFor(JsonNode ds, String node, String hash) {
    JsonNode template = ds.path("spec").path("template");
    ObjectNode pod = Json.object();
    pod.put("apiVersion", "v1");
    pod.put("kind", "Pod");
    ObjectNode meta = pod.putObject("metadata");
    String prefix = Meta.name(ds) + "-";
    meta.put("name", prefix + suffix());
    meta.put("generateName", prefix);
    meta.put("namespace", Meta.namespace(ds));
    ObjectNode labels = template.path("metadata").path("labels").isObject()
        ? ((ObjectNode) template.path("metadata").path("labels")).deepCopy() : Json.object();
    labels.put(DaemonRevisions.HASH_LABEL, hash);
    String generation = ds.path("metadata").path("annotations").path(DaemonRevisions.GENERATION_ANNOTATION).asText("");
    if (!generation.isEmpty()) {
      labels.put(DaemonRevisions.GENERATION_LABEL, generation);
    }
    meta.set("labels", labels);
    if (template.path("metadata").path("annotations").isObject()) {
      meta.set("annotations", template.path("metadata").path("annotations").deepCopy());
    }
    Owners.setController(meta, ds);
    ObjectNode spec = template.path("spec").isObject() ? ((ObjectNode) template.get("spec")).deepCopy() : Json.object();
    DaemonNodes.addTolerations(spec);
    DaemonNodes.pinToNode(spec, node);
    pod.set("spec", spec);
    return pod;
  }

  /** Creates {@code pods} starting with a batch of {@code firstBatch}; answers the names not created. */
  CompletionStage<List<String>> create(ObjectNode owner, List<ObjectNode> pods, int firstBatch) {
    return inBatches(owner, pods, 0, Math.max(1, firstBatch), new ArrayList<>());
  }

  private CompletionStage<List<String>> inBatches(ObjectNode owner, List<ObjectNode> all, int from, int size,
      List<String> failed) {
    if (!stillWanted.getAsBoolean() || from >= all.size()) {
      // stopped (the DaemonSet moved): the rest is its successor's call
      all.subList(Math.min(from, all.size()), all.size()).forEach(p -> failed.add(Meta.name(p)));
      return CompletableFuture.completedFuture(failed);
    }
    List<ObjectNode> batch = all.subList(from, Math.min(all.size(), from + size));
    List<CompletableFuture<Boolean>> calls = new ArrayList<>();
    for (ObjectNode pod : batch) {
      long notAfter = ctx.clock().millis() + createDeadline.toMillis();
      calls.add(ctx.store().create(pod, notAfter, stillWanted).handle((reply, error) -> {
        boolean ok = error == null && reply instanceof ObjectCommand.Done;
        if (ok) {
          ctx.events().record(owner, "Normal", "SuccessfulCreate", "Created pod: " + Meta.name(pod));
        }
        return ok;
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).thenCompose(v -> {
      boolean clean = true;
      for (int i = 0; i < calls.size(); i++) {
        if (!calls.get(i).join()) {
          failed.add(Meta.name(batch.get(i)));
          clean = false;
        }
      }
      if (!clean) {
        all.subList(from + batch.size(), all.size()).forEach(p -> failed.add(Meta.name(p)));
        return CompletableFuture.completedFuture(failed);
      }
      return inBatches(owner, all, from + batch.size(), size * 2, failed);
    });
  }

  private String suffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return s.toString();
  }
}
