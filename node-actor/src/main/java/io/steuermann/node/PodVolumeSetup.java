package io.steuermann.node;

import io.steuermann.engine.controllers.ControllerContext;
import io.steuermann.node.PodRun.ContainerRun;
import io.steuermann.node.PodRun.Stage;
import io.steuermann.node.podenv.ConfigReferences;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import io.steuermann.node.volumes.ResolvedVolumes;
import io.steuermann.node.volumes.VolumeSources;
import java.util.Collection;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's part of a pod's volumes, kept out of {@link NodeAgent}: before a start, what
 * the volumes hold is read from the watch cache (a missing ConfigMap or Secret keeps every
 * container waiting in {@code ContainerCreating} with kubelet's {@code FailedMount} event, and
 * the start is retried); while the pod runs, the volumes are resynced every
 * {@code volume-resync}, so that a changed ConfigMap, Secret, label or annotation reaches the
 * files (a source that went missing leaves them as they are, as kubelet does).
 */
final class PodVolumeSetup {
  private static final Logger log = LoggerFactory.getLogger(PodVolumeSetup.class);

  private final ControllerContext controllers;
  private final ContainerRuntime runtime;
  private final Function<String, ConfigReferences.Lookup> lookups;

  PodVolumeSetup(ControllerContext controllers, ContainerRuntime runtime,
      Function<String, ConfigReferences.Lookup> lookups) {
    this.controllers = controllers;
    this.runtime = runtime;
    this.lookups = lookups;
  }

  /** The pod's volumes, or empty when one cannot be set up yet (the containers then show why). */
  Optional<ResolvedVolumes> prepare(PodRun run) {
    VolumeSources.Resolution r = resolve(run);
    if (r instanceof VolumeSources.Resolved ok) {
      return Optional.of(ok.volumes());
    }
    VolumeSources.Failed f = (VolumeSources.Failed) r;
    boolean announced = run.containers.values().stream().allMatch(c -> c.status.state() instanceof Waiting w
        && "ContainerCreating".equals(w.reason()) && f.event().equals(w.message()));
    if (!announced) {
      controllers.events().record(run.pod, "Warning", "FailedMount", f.event());
    }
    for (ContainerRun c : run.containers.values()) {
      // kubelet shows ContainerCreating without a message; the message here only tells a new failure from an old one
      c.status = new ContainerStatus(c.declared.name(), c.declared.image(), c.status.imageId(), "",
          new Waiting("ContainerCreating", f.event()));
    }
    return Optional.empty();
  }

  /**
   * The resync of the running pods' files, and of the node's local-path volumes: the data of a
   * PersistentVolume that is gone (its reclaim policy deleted it) is removed. Only once the cache
   * holds the whole journal: a partly replayed one would show too few volumes.
   */
  void resync(Collection<PodRun> runs) {
    if (controllers.ready().toCompletableFuture().isDone() && !runtime.info().localVolumeDir().isEmpty()) {
      java.util.Set<String> volumes = new java.util.HashSet<>();
      controllers.cache().list(io.steuermann.engine.watch.WatchFilter.of(
          io.steuermann.engine.model.Kind.PERSISTENT_VOLUME, "")).items().forEach(pv -> volumes.add(
              io.steuermann.engine.model.Meta.name(pv)));
      // file work off the agent's thread
      java.util.concurrent.CompletableFuture.runAsync(() -> runtime.removeLocalVolumesBut(volumes));
    }
    for (PodRun run : runs) {
      if (run.stage != Stage.RUNNING || !VolumeSources.hasProjections(run.pod.path("spec"))) {
        continue;
      }
      if (resolve(run) instanceof VolumeSources.Resolved ok) {
        runtime.updateVolumes(run.ref, ok.volumes()).whenComplete((done, error) -> {
          if (error != null) {
            log.warn("The volumes of pod {}/{} could not be updated: {}", run.key.namespace(), run.key.name(),
                error.toString());
          }
        });
      }
    }
  }

  private VolumeSources.Resolution resolve(PodRun run) {
    return VolumeSources.resolve(run.pod, lookups.apply(run.key.namespace()), runtime.info().capacity());
  }
}
