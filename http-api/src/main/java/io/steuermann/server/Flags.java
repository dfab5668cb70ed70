package io.steuermann.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Command-line flags. Each flag is a shorthand for one configuration key, so everything a
 * flag does can also be done in a configuration file ({@code --config FILE}) or with
 * {@code -Dkey=value}.
 */
public final class Flags {
  /** A flag, the configuration key it sets, and what it means. */
  public record Flag(String name, String key, String help) {}

  public static final List<Flag> FLAGS = List.of(
      new Flag("--port", "steuermann.api.port", "API port (default 8080)"),
      new Flag("--bind-address", "steuermann.api.bind-address", "API address (default 127.0.0.1)"),
      new Flag("--advertise-address", "steuermann.api.advertise-address",
          "where pods and members reach the API: default/kubernetes (default: the bind address)"),
      new Flag("--data-dir", "steuermann.store.data-dir", "directory of the embedded H2 store (default ./data)"),
      new Flag("--store", "steuermann.store.kind", "h2 (default) or postgres"),
      new Flag("--encryption-key-file", "steuermann.encryption.key-file",
          "keys Secrets are sealed with at rest (default <data-dir>/encryption-keys, made at first start)"),
      new Flag("--postgres-url", "steuermann.store.postgres.url", "JDBC URL of the PostgreSQL store"),
      new Flag("--postgres-user", "steuermann.store.postgres.user", "PostgreSQL user"),
      new Flag("--postgres-password", "steuermann.store.postgres.password", "PostgreSQL password"),
      new Flag("--cluster-port", "pekko.remote.artery.canonical.port", "cluster port (default 0: any free port)"),
      new Flag("--cluster-host", "pekko.remote.artery.canonical.hostname", "cluster address others reach this member at (default 127.0.0.1)"),
      new Flag("--seed-nodes", "steuermann.cluster.seed-nodes", "host:port,... cluster ports of members to join (default none: a cluster of one)"),
      new Flag("--roles", "steuermann.cluster.roles", "control,worker (default both): control hosts objects and singletons, worker runs nodes"),
      new Flag("--shutdown-delay", "steuermann.api.shutdown-delay",
          "after SIGTERM, serve this long with /readyz failing before refusing connections (default 0s)"),
      new Flag("--max-writes-in-flight", "steuermann.api.max-writes-in-flight", "writes in flight before 429 (default 512)"),
      new Flag("--hollow-nodes", "steuermann.node.hollow-nodes", "run N simulated (hollow) nodes in this process (default 0)"),
      new Flag("--runtime", "steuermann.node.runtime", "docker (default), hollow or none: this process's node"),
      new Flag("--node-name", "steuermann.node.name", "name of the Docker node (default: the host name)"),
      new Flag("--node-address", "steuermann.node.address", "Docker node's address, where ports are published (default 127.0.0.1)"),
      new Flag("--proxy-mode", "steuermann.proxy.mode", "Service forwarding: auto (default: iptables when root), iptables or userspace"),
      new Flag("--service-cidr", "steuermann.services.cluster-ip-range", "block clusterIPs come from (default 10.96.0.0/12)"),
      new Flag("--cluster-cidr", "steuermann.network.cluster-cidr", "block pod IPs come from, one /24 per node (default 10.244.0.0/16)"),
      new Flag("--node-cidr-mask-size", "steuermann.network.node-cidr-mask-size", "prefix length of each node's pod CIDR (default 24)"),
      new Flag("--cluster-domain", "steuermann.network.cluster-domain", "DNS domain of the cluster (default cluster.local)"),
      new Flag("--cluster-dns", "steuermann.network.cluster-dns", "address of the cluster DNS in pods' resolv.conf (default: the 10th of the service range)"),
      new Flag("--dns-forward", "steuermann.dns.forward", "resolvers for names outside the cluster domain, ip[:port],... or host = /etc/resolv.conf's (default none: REFUSED)"));

  /** Thrown for a flag we do not know, one without its value, or {@code --help} (not an error). */
  public static final class UsageException extends Exception {
    private final boolean help;

    public UsageException(String message) {
      this(message, false);
    }

    UsageException(String message, boolean help) {
      super(message);
      this.help = help;
    }

    public boolean isHelp() {
      return help;
    }
  }

  private Flags() {}

  /** The configuration the flags set; {@code --config FILE} adds a whole file beneath them. */
  public static Config parse(String[] args) throws UsageException {
    Map<String, Object> values = new LinkedHashMap<>();
    Config file = ConfigFactory.empty();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      if (arg.equals("--help") || arg.equals("-h")) {
        throw new UsageException(usage(), true);
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException("flag " + arg + " needs a value\n" + usage());
        }
        value = args[++i];
      }
      if (arg.equals("--config")) {
        file = ConfigFactory.parseFile(Path.of(value).toFile()).withFallback(file);
        continue;
      }
      String flagName = arg;
      Flag flag = FLAGS.stream().filter(f -> f.name().equals(flagName)).findFirst()
          .orElseThrow(() -> new UsageException("unknown flag " + flagName + "\n" + usage()));
      values.put(flag.key(), value);
    }
    Config flags = ConfigFactory.empty();
    for (Map.Entry<String, Object> e : values.entrySet()) {
      flags = flags.withValue(e.getKey(), ConfigValueFactory.fromAnyRef(e.getValue()));
    }
    return flags.withFallback(file);
  }

  public static String usage() {
    StringBuilder s = new StringBuilder("usage: steuermann [flags]\n");
    s.append(String.format("  %-24s %s%n", "--config FILE", "a HOCON configuration file"));
    for (Flag f : FLAGS) {
      s.append(String.format("  %-24s %s  [%s]%n", f.name() + " V", f.help(), f.key()));
    }
    return s.toString();
  }
}
