package io.steuermann.node.dns;

import com.typesafe.config.Config;
import io.steuermann.engine.Engine;
import io.steuermann.engine.network.ClusterNetwork;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster DNS of this machine (Steuermann's CoreDNS): every machine that runs nodes answers
 * on {@code steuermann.network.cluster-dns} (10.96.0.10, an address of the local service
 * range), the nameserver in every ClusterFirst pod's resolv.conf, from the local watch cache.
 * No member depends on another to resolve: a partitioned machine keeps answering what it knows.
 */
public final class ClusterDns {
  private static final Logger log = LoggerFactory.getLogger(ClusterDns.class);

  /** A running cluster DNS: its sockets, the actor that keeps its index, and the index's latest snapshot. */
  public record Running(DnsServer server, ActorRef<DnsWatcher.Command> watcher, Supplier<DnsIndex> index) {
    public InetSocketAddress address() {
      return server.address();
    }
  }

  private ClusterDns() {}

  /**
   * Starts the DNS once the engine is ready, if {@code steuermann.dns.enabled}; the server calls
   * it where the process runs nodes. Completes with the running server, or empty when disabled
   * or when the address cannot be bound (logged: pods then get no answers, nothing else stops).
   */
  public static CompletionStage<Optional<Running>> start(ActorSystem<?> system, Engine engine) {
    Config config = system.settings().config();
    DnsSettings settings = DnsSettings.fromConfig(config.getConfig("steuermann.dns"));
    if (!settings.enabled()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    ClusterNetwork network = ClusterNetwork.fromConfig(config);
    String host = settings.listenAddress().isEmpty() ? network.clusterDns() : settings.listenAddress();
    if (network.serviceRange().contains(host)) {
      io.steuermann.node.network.ServiceRange.makeLocal(config); // idempotent; the proxy does it as well
    }
    return engine.whenReady().thenApply(version -> {
      AtomicReference<DnsIndex> index = new AtomicReference<>(
          DnsIndex.build(network, settings.ttl(), settings.negativeTtl(), List.of(), Map.of(), List.of()));
      ActorRef<DnsWatcher.Command> watcher = system.systemActorOf(
          DnsWatcher.create(engine.controllers(), network, settings, index), "cluster-dns", Props.empty());
      DnsServer server;
      try {
        server = DnsServer.start(new InetSocketAddress(host, settings.port()), settings, index::get);
      } catch (IOException | RuntimeException e) {
        // most often another Steuermann process of this machine holds it (several members on one
        // machine, as the multi-JVM tests run them): its DNS answers the same names from the same
        // cluster. SO_REUSEPORT would share the port, but also with a process of another cluster.
        log.warn("Cluster DNS cannot listen on {}:{} ({}): this process answers no DNS queries; pods on this "
            + "machine get answers only if another process of the cluster holds the address", host, settings.port(),
            e.toString());
        watcher.tell(DnsWatcher.Stop.INSTANCE);
        return Optional.<Running>empty();
      }
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "cluster-dns-unbind", () -> {
        server.close();
        watcher.tell(DnsWatcher.Stop.INSTANCE);
        return CompletableFuture.completedFuture(Done.getInstance());
      });
      log.info("Cluster DNS answers {} on {} (UDP and TCP); other names: {}", network.clusterDomain(),
          server.address(), server.forwarders().isEmpty() ? "REFUSED" : "forwarded to " + server.forwarders());
      return Optional.of(new Running(server, watcher, index::get));
    });
  }
}
