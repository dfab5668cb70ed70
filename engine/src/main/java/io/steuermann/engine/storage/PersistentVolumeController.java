package io.steuermann.engine.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.CacheWatch;
import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.watch.WatchEvent;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * kube's PersistentVolume controller, level-triggered over the watch cache: binds claims to
 * matching volumes (both sides' spec and status), provisions {@code local-path} volumes on the
 * node a claim's first consumer was scheduled to (a class in {@code WaitForFirstConsumer} mode
 * waits for one), marks a volume Released when its claim goes and then applies its reclaim
 * policy (Delete removes it, the node then its data; Retain keeps it), assigns the default class
 * to claims that name none, creates the built-in {@code local-path} class at start when it is
 * absent, and lifts the protection finalizers of claims no running pod uses and of volumes no
 * claim is bound to. A cluster singleton; one chain of writes per object at a time.
 */
public final class PersistentVolumeController extends AbstractBehavior<PersistentVolumeController.Command> {
  private static final Logger log = LoggerFactory.getLogger(PersistentVolumeController.class);
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  public static final String SELECTED_NODE = "volume.kubernetes.io/selected-node";
  public static final String PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";
  /** Where a node keeps its local-path volumes, as the Docker node publishes it on its Node. */
  public static final String LOCAL_PATH_DIR = "steuermann.io/local-path-dir";
  static final String DEFAULT_LOCAL_PATH_DIR = "/var/lib/steuermann/local-path";
  private static final List<Kind> WATCHED = List.of(Kind.PERSISTENT_VOLUME, Kind.PERSISTENT_VOLUME_CLAIM,
      Kind.STORAGE_CLASS, Kind.POD);

  public interface Command {}

  /** Stops the controller (the stop message for a cluster singleton). */
  public enum Stop implements Command { INSTANCE }

  private enum Tick implements Command { STARTED, RECONCILE, RESYNC }

  private record Observed(WatchEvent event) implements Command {}

  private record WatchEnded(Kind kind) implements Command {}

  private record Finished(ObjectKey key) implements Command {}

  /** What a pod that mounts claims tells the controller: where it runs, and whether it still does. */
  private record Consumer(String namespace, Set<String> claims, String node, boolean active) {}

  public static Behavior<Command> create(ControllerContext ctx, Duration resync) {
    return Behaviors.setup(actor -> Behaviors.withTimers(timers -> {
      actor.pipeToSelf(ctx.ready(), (v, e) -> Tick.STARTED);
      return new PersistentVolumeController(actor, ctx, timers, resync);
    }));
  }

  private final ControllerContext ctx;
  private final TimerScheduler<Command> timers;
  private final Duration resync;
  private final Map<ObjectKey, Consumer> consumers = new HashMap<>();
  private final Set<ObjectKey> busy = new HashSet<>();
  private final Map<ObjectKey, String> announced = new HashMap<>();
  private final Map<Kind, UniqueKillSwitch> watches = new HashMap<>();
  private boolean started;

  private PersistentVolumeController(ActorContext<Command> context, ControllerContext ctx,
      TimerScheduler<Command> timers, Duration resync) {
    super(context);
    this.ctx = ctx;
    this.timers = timers;
    this.resync = resync;
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Tick.STARTED, this::onStarted)
        .onMessageEquals(Tick.RECONCILE, () -> {
          reconcile();
          return this;
        })
        .onMessageEquals(Tick.RESYNC, () -> {
          soon();
          return this;
        })
        .onMessage(Observed.class, m -> {
          onEvent(m.event());
          return this;
        })
        .onMessage(WatchEnded.class, m -> {
          if (started) {
            subscribe(m.kind());
          }
          return this;
        })
        .onMessage(Finished.class, m -> {
          busy.remove(m.key());
          soon();
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
        .onSignal(PostStop.class, s -> {
          started = false;
          watches.values().forEach(UniqueKillSwitch::shutdown);
          return this;
        })
        .build();
  }

  private Behavior<Command> onStarted() {
    started = true;
    WATCHED.forEach(this::subscribe);
    timers.startTimerWithFixedDelay(Tick.RESYNC, resync);
    ObjectKey localPath = ObjectKey.of(Kind.STORAGE_CLASS, "", StorageClasses.LOCAL_PATH);
    if (ctx.cache().get(localPath) == null) {
      // as k3s does: the class is there from the start, and a later deletion by its admin sticks
      run(localPath, () -> ctx.store().create(StorageClasses.localPath()));
    }
    return this;
  }

  private void subscribe(Kind kind) {
    UniqueKillSwitch old = watches.remove(kind);
    if (old != null) {
      old.shutdown();
    }
    if (kind == Kind.POD) {
      consumers.clear();
    }
    watches.put(kind, CacheWatch.subscribe(ctx.cache(), ctx.materializer(), WatchFilter.of(kind, ""),
        getContext().getSelf(), Observed::new, new WatchEnded(kind), 10_000));
  }

  private void onEvent(WatchEvent e) {
    if (e.key().kind() == Kind.POD) {
      Consumer before = consumers.get(e.key());
      Consumer after = e.type() == WatchEvent.Type.DELETED ? null : consumer(e.object());
      if (after == null) {
        consumers.remove(e.key());
      } else {
        consumers.put(e.key(), after);
      }
      if (!java.util.Objects.equals(before, after)) {
        soon();
      }
      return;
    }
    soon();
  }

  private static Consumer consumer(JsonNode pod) {
    Set<String> claims = new HashSet<>();
    for (JsonNode v : pod.path("spec").path("volumes")) {
      String claim = v.path("persistentVolumeClaim").path("claimName").asText("");
      if (!claim.isEmpty()) {
        claims.add(claim);
      }
    }
    if (claims.isEmpty()) {
      return null;
    }
    String phase = pod.path("status").path("phase").asText("");
    return new Consumer(Meta.namespace(pod), Set.copyOf(claims), pod.path("spec").path("nodeName").asText(""),
        !phase.equals("Succeeded") && !phase.equals("Failed"));
  }

  /** A reconcile soon, once for a burst of changes. */
  private void soon() {
    if (started && !timers.isTimerActive(Tick.RECONCILE)) {
      timers.startSingleTimer(Tick.RECONCILE, Tick.RECONCILE, Duration.ofMillis(20));
    }
  }

  // ---- the reconcile ------------------------------------------------------------------------

  private void reconcile() {
    List<ObjectNode> volumes = ctx.cache().list(WatchFilter.of(Kind.PERSISTENT_VOLUME, "")).items();
    List<ObjectNode> claims = ctx.cache().list(WatchFilter.of(Kind.PERSISTENT_VOLUME_CLAIM, "")).items();
    Set<String> taken = new HashSet<>();
    for (ObjectNode claim : claims) {
      claim(claim, volumes, taken);
    }
    for (ObjectNode pv : volumes) {
      volume(pv);
    }
  }

  private void claim(ObjectNode claim, List<ObjectNode> volumes, Set<String> taken) {
    ObjectKey key = ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, Meta.namespace(claim), Meta.name(claim));
    if (busy.contains(key)) {
      return;
    }
    if (claim.path("metadata").has("deletionTimestamp")) {
      if (hasFinalizer(claim, StorageClasses.PVC_PROTECTION) && !inUse(key)) {
        run(key, () -> removeFinalizer(key, claim, StorageClasses.PVC_PROTECTION));
      }
      return;
    }
    JsonNode spec = claim.path("spec");
    if (!spec.hasNonNull("storageClassName")) {
      // kube's retroactive default class: for claims created before there was one
      Optional<ObjectNode> sc = StorageClasses.defaultClass(ctx.cache());
      if (sc.isPresent()) {
        ObjectNode patch = JSON.objectNode();
        patch.putObject("spec").put("storageClassName", Meta.name(sc.get()));
        run(key, () -> ctx.store().patch(key, PatchType.MERGE, patch, Part.MAIN));
        return;
      }
    }
    String volumeName = spec.path("volumeName").asText("");
    String phase = claim.path("status").path("phase").asText("Pending");
    if (phase.equals("Bound")) {
      ObjectNode pv = volume(volumeName);
      if (pv == null || !VolumeMatch.refersTo(pv.path("spec").path("claimRef"), claim)) {
        announce(claim, "Warning", "ClaimLost", "Bound claim has lost its PersistentVolume. Data on the volume is lost!");
        run(key, () -> claimStatus(key, "Lost", null));
      }
      return;
    }
    if (phase.equals("Lost")) {
      return;
    }
    if (!volumeName.isEmpty()) {
      ObjectNode pv = volume(volumeName);
      if (pv != null && (!pv.path("spec").path("claimRef").isObject()
          || VolumeMatch.refersTo(pv.path("spec").path("claimRef"), claim))) {
        taken.add(volumeName);
        bind(key, claim, pv);
      }
      return;
    }
    String className = StorageClasses.className(claim);
    ObjectNode sc = StorageClasses.get(ctx.cache(), className);
    String node = null;
    if (sc != null && StorageClasses.WAIT_FOR_FIRST_CONSUMER.equals(sc.path("volumeBindingMode").asText())) {
      node = consumerNode(key, claim);
      if (node == null) {
        announce(claim, "Normal", "WaitForFirstConsumer",
            "waiting for first consumer to be created before binding");
        return;
      }
    }
    ObjectNode nodeObject = node == null ? null : ctx.cache().get(ObjectKey.of(Kind.NODE, "", node));
    Map<String, String> nodeLabels = nodeObject == null ? Map.of() : Meta.labels(nodeObject);
    List<ObjectNode> free = volumes.stream()
        .filter(pv -> !taken.contains(Meta.name(pv)) && !busy.contains(pvKey(Meta.name(pv)))).toList();
    Optional<ObjectNode> match = VolumeMatch.best(claim, free, node, nodeLabels);
    if (match.isPresent()) {
      taken.add(Meta.name(match.get()));
      bind(key, claim, match.get());
      return;
    }
    if (sc != null && StorageClasses.LOCAL_PATH_PROVISIONER.equals(sc.path("provisioner").asText())) {
      if (node == null) {
        // k3s' local-path provisioner: a volume on one node needs the node to be chosen first
        announce(claim, "Warning", "ProvisioningFailed", "failed to provision volume with StorageClass \""
            + className + "\": configuration error, no node was specified");
        return;
      }
      String chosen = node;
      Map<String, String> dirs = nodeObject == null ? Map.of()
          : Meta.stringMap(nodeObject.path("metadata").path("annotations"));
      String dir = dirs.getOrDefault(LOCAL_PATH_DIR, DEFAULT_LOCAL_PATH_DIR);
      run(key, () -> provision(key, claim, sc, chosen, dir));
    } else if (sc != null) {
      announce(claim, "Normal", "ExternalProvisioning", "Waiting for a volume to be created either by the external "
          + "provisioner '" + sc.path("provisioner").asText() + "' or manually by the system administrator. If volume "
          + "creation is delayed, please verify that the provisioner is running and correctly registered.");
    } else if (!className.isEmpty()) {
      announce(claim, "Warning", "ProvisioningFailed", "storageclass.storage.k8s.io \"" + className + "\" not found");
    } else {
      announce(claim, "Normal", "FailedBinding", "no persistent volumes available for this claim and no storage "
          + "class is set");
    }
  }

  private void volume(ObjectNode pv) {
    ObjectKey key = pvKey(Meta.name(pv));
    if (busy.contains(key)) {
      return;
    }
    String phase = pv.path("status").path("phase").asText("Pending");
    if (pv.path("metadata").has("deletionTimestamp")) {
      if (hasFinalizer(pv, StorageClasses.PV_PROTECTION) && !phase.equals("Bound")) {
        run(key, () -> removeFinalizer(key, pv, StorageClasses.PV_PROTECTION));
      }
      return;
    }
    JsonNode ref = pv.path("spec").path("claimRef");
    if (!ref.isObject() || ref.path("uid").asText("").isEmpty()) {
      // free, or pre-bound by its admin to a claim the binding has not reached yet
      if (!phase.equals("Available") && !(ref.isObject() && phase.equals("Bound"))) {
        run(key, () -> status(key, "Available"));
      }
      return;
    }
    ObjectNode claim = ctx.cache().get(ObjectKey.of(Kind.PERSISTENT_VOLUME_CLAIM, ref.path("namespace").asText(""),
        ref.path("name").asText("")));
    if (claim == null || !Meta.uid(claim).equals(ref.path("uid").asText())) {
      if (phase.equals("Released")) {
        String policy = pv.path("spec").path("persistentVolumeReclaimPolicy").asText("Retain");
        if (policy.equals("Delete")) {
          run(key, () -> ctx.store().delete(key, Meta.uid(pv), 0));
        } else if (policy.equals("Recycle")) {
          announce(pv, "Warning", "VolumeFailedRecycle", "Recycle is not supported: the volume is kept");
        }
      } else {
        run(key, () -> status(key, "Released"));
      }
      return;
    }
    if (Meta.name(pv).equals(claim.path("spec").path("volumeName").asText("")) && !phase.equals("Bound")) {
      run(key, () -> status(key, "Bound"));
    }
  }

  // ---- the writes ---------------------------------------------------------------------------

  /** Binds the volume and the claim: the volume's claimRef and phase, then the claim's volumeName and status. */
  private void bind(ObjectKey claimKey, ObjectNode claim, ObjectNode pv) {
    ObjectKey pvKey = pvKey(Meta.name(pv));
    busy.add(pvKey);
    run(claimKey, () -> {
      CompletionStage<ObjectCommand.Reply> first = ok();
      JsonNode ref = pv.path("spec").path("claimRef");
      if (!ref.isObject() || ref.path("uid").asText("").isEmpty()) {
        ObjectNode patch = JSON.objectNode();
        if (!ref.isObject()) {
          patch.putObject("metadata").putObject("annotations").put("pv.kubernetes.io/bound-by-controller", "yes");
        }
        ObjectNode claimRef = patch.putObject("spec").putObject("claimRef");
        claimRef.put("kind", "PersistentVolumeClaim").put("namespace", Meta.namespace(claim))
            .put("name", Meta.name(claim)).put("uid", Meta.uid(claim)).put("apiVersion", "v1")
            .put("resourceVersion", Meta.resourceVersion(claim));
        first = ctx.store().patch(pvKey, PatchType.MERGE, patch, Part.MAIN);
      }
      return then(first, () -> status(pvKey, "Bound"))
          .thenCompose(r -> {
            if (!(r instanceof ObjectCommand.Done)) {
              return CompletableFuture.completedFuture(r);
            }
            ObjectNode patch = JSON.objectNode();
            ObjectNode annotations = patch.putObject("metadata").putObject("annotations");
            annotations.put("pv.kubernetes.io/bind-completed", "yes");
            if (claim.path("spec").path("volumeName").asText("").isEmpty()) {
              annotations.put("pv.kubernetes.io/bound-by-controller", "yes");
            }
            patch.putObject("spec").put("volumeName", Meta.name(pv));
            return then(ctx.store().patch(claimKey, PatchType.MERGE, patch, Part.MAIN),
                () -> claimStatus(claimKey, "Bound", pv));
          })
          .whenComplete((r, e) -> getContext().getSelf().tell(new Finished(pvKey)));
    });
  }

  private CompletionStage<ObjectCommand.Reply> provision(ObjectKey key, ObjectNode claim, ObjectNode sc, String node,
      String dir) {
    String name = "pvc-" + Meta.uid(claim);
    ObjectNode annotate = JSON.objectNode();
    annotate.putObject("metadata").putObject("annotations").put(SELECTED_NODE, node)
        .put("volume.kubernetes.io/storage-provisioner", StorageClasses.LOCAL_PATH_PROVISIONER)
        .put("volume.beta.kubernetes.io/storage-provisioner", StorageClasses.LOCAL_PATH_PROVISIONER);
    ObjectNode pv = JSON.objectNode();
    pv.put("apiVersion", "v1").put("kind", "PersistentVolume");
    ObjectNode meta = pv.putObject("metadata");
    meta.put("name", name);
    meta.putObject("annotations").put(PROVISIONED_BY, StorageClasses.LOCAL_PATH_PROVISIONER);
    ObjectNode spec = pv.putObject("spec");
    spec.putObject("capacity").set("storage", claim.path("spec").path("resources").path("requests").path("storage"));
    spec.set("accessModes", claim.path("spec").path("accessModes").deepCopy());
    spec.put("persistentVolumeReclaimPolicy", sc.path("reclaimPolicy").asText("Delete"));
    spec.put("storageClassName", Meta.name(sc));
    spec.put("volumeMode", claim.path("spec").path("volumeMode").asText("Filesystem"));
    spec.putObject("hostPath").put("path", dir + "/" + name).put("type", "DirectoryOrCreate");
    spec.putObject("claimRef").put("kind", "PersistentVolumeClaim").put("namespace", Meta.namespace(claim))
        .put("name", Meta.name(claim)).put("uid", Meta.uid(claim)).put("apiVersion", "v1");
    ArrayNode terms = spec.putObject("nodeAffinity").putObject("required").putArray("nodeSelectorTerms");
    terms.addObject().putArray("matchExpressions").addObject().put("key", "kubernetes.io/hostname").put("operator", "In")
        .putArray("values").add(node);
    return then(ctx.store().patch(key, PatchType.MERGE, annotate, Part.MAIN), () -> ctx.store().create(pv))
        .thenApply(r -> {
          if (r instanceof ObjectCommand.Done) {
            announce(claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume " + name);
          }
          return r;
        });
  }

  private CompletionStage<ObjectCommand.Reply> status(ObjectKey pv, String phase) {
    ObjectNode patch = JSON.objectNode();
    patch.putObject("status").put("phase", phase);
    return ctx.store().patch(pv, PatchType.MERGE, patch, Part.STATUS);
  }

  private CompletionStage<ObjectCommand.Reply> claimStatus(ObjectKey claim, String phase, JsonNode pv) {
    ObjectNode patch = JSON.objectNode();
    ObjectNode status = patch.putObject("status");
    status.put("phase", phase);
    if (pv != null) {
      status.set("accessModes", pv.path("spec").path("accessModes").deepCopy());
      status.set("capacity", pv.path("spec").path("capacity").deepCopy());
    }
    return ctx.store().patch(claim, PatchType.MERGE, patch, Part.STATUS);
  }

  private CompletionStage<ObjectCommand.Reply> removeFinalizer(ObjectKey key, JsonNode object, String finalizer) {
    ObjectNode patch = JSON.objectNode();
    ArrayNode left = patch.putObject("metadata").putArray("finalizers");
    object.path("metadata").path("finalizers").forEach(f -> {
      if (!finalizer.equals(f.asText())) {
        left.add(f);
      }
    });
    ((ObjectNode) patch.get("metadata")).put("resourceVersion", Meta.resourceVersion(object));
    return ctx.store().patch(key, PatchType.MERGE, patch, Part.MAIN);
  }

  /** One chain of writes for {@code key}; the next reconcile looks at it again once it is done. */
  private void run(ObjectKey key, Supplier<CompletionStage<ObjectCommand.Reply>> writes) {
    busy.add(key);
    CompletionStage<ObjectCommand.Reply> chain;
    try {
      chain = writes.get();
    } catch (RuntimeException e) {
      chain = CompletableFuture.failedFuture(e);
    }
    chain.whenComplete((r, e) -> {
      if (e != null || !(r instanceof ObjectCommand.Done)) {
        log.debug("PV controller: a write for {} ended with {}", key, e != null ? e.toString() : r);
      }
      getContext().getSelf().tell(new Finished(key));
    });
  }

  private static CompletionStage<ObjectCommand.Reply> then(CompletionStage<ObjectCommand.Reply> first,
      Supplier<CompletionStage<ObjectCommand.Reply>> next) {
    return first.thenCompose(r -> r instanceof ObjectCommand.Done ? next.get() : CompletableFuture.completedFuture(r));
  }

  private static CompletionStage<ObjectCommand.Reply> ok() {
    return CompletableFuture.completedFuture(new ObjectCommand.Done(null, false));
  }

  // ---- views --------------------------------------------------------------------------------

  private ObjectNode volume(String name) {
    return name.isEmpty() ? null : ctx.cache().get(pvKey(name));
  }

  private static ObjectKey pvKey(String name) {
    return ObjectKey.of(Kind.PERSISTENT_VOLUME, "", name);
  }

  /** The node the claim's volume must be on: the one chosen before, else where a consumer was scheduled. */
  private String consumerNode(ObjectKey claimKey, JsonNode claim) {
    String selected = claim.path("metadata").path("annotations").path(SELECTED_NODE).asText("");
    if (!selected.isEmpty()) {
      return selected;
    }
    for (Consumer c : consumers.values()) {
      if (c.active() && !c.node().isEmpty() && c.namespace().equals(claimKey.namespace())
          && c.claims().contains(claimKey.name())) {
        return c.node();
      }
    }
    return null;
  }

  private boolean inUse(ObjectKey claimKey) {
    for (Consumer c : consumers.values()) {
      if (c.active() && c.namespace().equals(claimKey.namespace()) && c.claims().contains(claimKey.name())) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasFinalizer(JsonNode object, String finalizer) {
    for (JsonNode f : object.path("metadata").path("finalizers")) {
      if (finalizer.equals(f.asText())) {
        return true;
      }
    }
    return false;
  }

  /** An event, once per object and message (kube's recorder would aggregate the repeats). */
  private void announce(ObjectNode involved, String type, String reason, String message) {
    ObjectKey key = ObjectKey.of(Kind.byKindName(involved.path("kind").asText()).orElse(Kind.PERSISTENT_VOLUME),
        Meta.namespace(involved), Meta.name(involved));
    String said = Meta.uid(involved) + reason + message;
    if (!said.equals(announced.put(key, said))) {
      ctx.events().record(involved, type, reason, message);
    }
    if (announced.size() > 10_000) {
      announced.clear();
    }
  }
}
