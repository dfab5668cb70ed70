package io.steuermann.engine.autoscaling;

import io.steuermann.persistence.CborSerializable;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The resource metrics the autoscaler reads, without HTTP: every member that runs nodes
 * registers a reporter under {@link #KEY} with Pekko's receptionist, backed by the usage its
 * runtimes sample (what {@code metrics.k8s.io} serves on that member), and the controller asks
 * all reporters for a namespace. A member that does not answer in time is left out, as
 * metrics-server leaves out a node it cannot scrape; the controller then sees those pods'
 * metrics as missing and handles them as kube's replica calculator does.
 */
public final class PodMetrics {
  public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "steuermann-pod-metrics");

  private PodMetrics() {}

  /** One container's usage: CPU in millicores, memory working set in bytes. */
  public record ContainerUsage(String name, long cpuMilli, long memoryBytes) implements CborSerializable {}

  /** One pod's usage sampled at {@code timestampMillis} over {@code windowMillis}. */
  public record PodUsage(String namespace, String name, String uid, long timestampMillis, long windowMillis,
      List<ContainerUsage> containers) implements CborSerializable {
    public PodUsage {
      containers = List.copyOf(containers);
    }

    /** The pod's total of one resource ({@code cpu} in millicores, {@code memory} in bytes). */
    public long total(String resource) {
      return containers.stream().mapToLong(c -> resource.equals("cpu") ? c.cpuMilli() : c.memoryBytes()).sum();
    }
  }

  public sealed interface Command extends CborSerializable {}

  /** The usage of the pods of {@code namespace} on the reporter's nodes. */
  public record Get(String namespace, ActorRef<Report> replyTo) implements Command {}

  public record Report(List<PodUsage> pods) implements CborSerializable {
    public Report {
      pods = List.copyOf(pods);
    }
  }

  /** A reporter answering from {@code source} (namespace to the pods' usage), registered under {@link #KEY}. */
  public static Behavior<Command> reporter(Function<String, List<PodUsage>> source) {
    return Behaviors.setup(context -> {
      context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
      return Behaviors.receiveMessage(message -> {
        if (message instanceof Get get) {
          get.replyTo().tell(new Report(source.apply(get.namespace())));
        }
        return Behaviors.same();
      });
    });
  }
}
