package io.steuermann.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.cluster.ClusterRoles;
import io.steuermann.engine.cluster.ShutdownReasons;
import io.steuermann.engine.encryption.EncryptionKeys;
import io.steuermann.engine.encryption.ObjectSerializer;
import io.steuermann.http.ApiServer;
import io.steuermann.node.NodeAgents;
import io.steuermann.node.NodeRuntimes;
import io.steuermann.node.proxy.ProxySettings;
import io.steuermann.node.dns.ClusterDns;
import io.steuermann.node.proxy.ServiceProxy;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one Steuermann binary. With no configuration it is a single-machine cluster: it joins
 * itself, keeps its objects in an embedded H2 store under {@code ./data} and serves the API
 * on 127.0.0.1:8080.
 */
public final class Main {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  /** The subcommand that puts a new encryption key first in the key file, then exits. */
  private static final String ROTATE = "rotate-encryption-key";

  private Main() {}

  public static void main(String[] args) {
    boolean rotate = args.length > 0 && args[0].equals(ROTATE);
    Config flags;
    try {
      flags = Flags.parse(rotate ? java.util.Arrays.copyOfRange(args, 1, args.length) : args);
    } catch (Flags.UsageException e) {
      if (e.isHelp()) {
        System.out.println(e.getMessage());
        System.exit(0);
      }
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Config config;
    try {
      config = ApiAdvertisement.withRole(Engine.configure(SeedNodes.configure(flags.withFallback(
          ConfigFactory.load(ConfigFactory.defaultApplication().withFallback(ProxySettings.PEKKO_DEFAULTS)))
          .resolve())));
    } catch (SeedNodes.Refused | IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    } catch (java.io.UncheckedIOException e) {
      // the data directory cannot be made or used: one line, not a stack trace
      log.error("Steuermann cannot start: {}", e.getMessage(), e);
      System.err.println("steuermann: cannot start: " + e.getMessage() + " (" + e.getCause().getMessage() + ")");
      System.exit(1);
      return;
    }
    java.nio.file.Path keyFile = ObjectSerializer.keyFile(config);
    try {
      // before the actor system: a key file that cannot be read or made stops the start here
      if (rotate) {
        String name = EncryptionKeys.rotate(keyFile);
        System.out.println("New encryption key " + name + " is first in " + keyFile + ": restart Steuermann with it;"
            + " it re-seals the stored Secrets, after which the older lines can be removed (docs/architecture.md)");
        System.exit(0);
      }
      EncryptionKeys.loadOrCreate(keyFile);
    } catch (IllegalArgumentException | java.io.UncheckedIOException e) {
      System.err.println("steuermann: " + (rotate ? "cannot rotate: " : "cannot start: ") + e.getMessage());
      System.exit(1);
      return;
    }
    boolean worker = config.getStringList("pekko.cluster.roles").contains(ClusterRoles.WORKER);
    NodeRuntimes runtimes;
    try {
      // before anything else starts: a worker without its container runtime does not start
      Config node = config.getConfig("steuermann.node");
      runtimes = NodeRuntimes.connect(worker ? node : node
          .withValue("runtime", ConfigValueFactory.fromAnyRef("none"))
          .withValue("hollow-nodes", ConfigValueFactory.fromAnyRef(0)));
    } catch (NodeRuntimes.Unavailable e) {
      log.error("Steuermann cannot start: {}", e.getMessage());
      System.err.println("steuermann: cannot start: " + e.getMessage());
      System.exit(1);
      return;
    }
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "steuermann", config);
    ShutdownReasons.register(system);
    Cluster cluster = Cluster.get(system);
    if (config.getStringList("pekko.cluster.seed-nodes").isEmpty()) {
      // no seed nodes configured: a cluster of one, joining itself
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    try {
      Engine engine = Engine.start(system);
      NodeAgents nodes = runtimes.start(system, engine);
      ApiServer.start(system, engine, nodes::runtime);
      if (!nodes.nodeNames().isEmpty()) {
        ServiceProxy.start(system, engine); // the machine's kube-proxy, where nodes run
        io.steuermann.node.ingress.IngressProxy.start(system, engine); // and its ingress controller
        ClusterDns.start(system, engine); // and its cluster DNS, on the cluster DNS address
      }
    } catch (RuntimeException e) {
      ShutdownReasons.startFailed(system, "", e);
    }
  }
}
