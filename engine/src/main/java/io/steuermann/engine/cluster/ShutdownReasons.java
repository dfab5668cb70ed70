package io.steuermann.engine.cluster;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Says in the log why this member stops when the cluster, not an operator, stopped it: a
 * member downed by the split-brain resolver (it was on the minority side of a partition, or
 * frozen, or unreachable for too long) exits with status 255 for its supervisor to start it
 * again, and the new incarnation joins the cluster afresh; a member whose join was refused
 * (incompatible store settings) exits with status 2; a member that cannot start (its API port
 * taken, its journal unreadable or in use) exits with status 1 after one line saying why.
 */
public final class ShutdownReasons {
  private static final Logger log = LoggerFactory.getLogger(ShutdownReasons.class);

  private ShutdownReasons() {}

  /** The reason of a member that could not start; application.conf gives it exit status 1. */
  public enum StartFailed implements CoordinatedShutdown.Reason { INSTANCE }

  /**
   * Stops a member that cannot start, saying why in the log and in one line on stderr: the
   * context and the innermost cause's message (the pool's and Pekko's wrappers say nothing).
   */
  public static void startFailed(ActorSystem<?> system, String context, Throwable error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String why = context + cause.getMessage();
    log.error("Steuermann cannot start: {}", why, error);
    System.err.println("steuermann: cannot start: " + why);
    CoordinatedShutdown.get(system).run(StartFailed.INSTANCE);
  }

  public static void register(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "log-shutdown-reason", () -> {
      shutdown.getShutdownReason().ifPresent(reason -> {
        if (reason == CoordinatedShutdown.clusterDowningReason()) {
          log.error("This member was DOWNED by the cluster (split-brain resolver keep-majority: it was on the "
              + "minority side, frozen or unreachable). It stops accepting writes and exits with status {} so "
              + "that its supervisor restarts it; the new incarnation joins the cluster again.",
              exitCode(system, reason));
        } else if (reason == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
          log.error("This member could not join the cluster: the member it asked found its configuration "
              + "incompatible (that member's log says why). Steuermann members must all use --store postgres with "
              + "the same --postgres-url. Exiting with status {}.", exitCode(system, reason));
        } else if (reason == CoordinatedShutdown.clusterJoinUnsuccessfulReason()) {
          log.error("This member could not join the cluster through its seed nodes in time. Exiting with "
              + "status {}.", exitCode(system, reason));
        }
      });
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  private static int exitCode(ActorSystem<?> system, CoordinatedShutdown.Reason reason) {
    var config = system.settings().config().getConfig("pekko.coordinated-shutdown");
    String override = "reason-overrides.\"" + reason.getClass().getName() + "\".exit-code";
    int code = config.hasPath(override) ? config.getInt(override) : config.getInt("exit-code");
    return code & 0xff;
  }
}
