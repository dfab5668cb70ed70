package io.steuermann.node.proxy.kernel;

import io.steuermann.node.network.HostCommands;
import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.ListenerKey;
import io.steuermann.node.proxy.ProxySettings.IptablesSettings;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps this machine's iptables rules equal to the Service ports served in the kernel: every
 * change is applied with one {@code iptables-restore --noflush} (debounced: at most one per
 * {@code min-sync-interval}), the whole set again every {@code sync-period}; at start it removes
 * what an earlier process left, and at stop its own chains (if so configured). The jumps from
 * the built-in chains are checked ({@code -C}) and inserted at each sync, as kube-proxy does.
 *
 * <p>UDP has no connection to end: a conntrack entry keeps sending a client's datagrams to the
 * endpoint it first picked, so when an endpoint goes its entries are deleted
 * ({@code conntrack -D}), and when a Service port gets its first endpoint the entries that
 * recorded "no DNAT" are deleted too.
 *
 * <p>The commands block: run this actor on a blocking dispatcher.
 */
public final class IptablesSync extends AbstractBehavior<IptablesSync.Command> {

  public sealed interface Command {}

  /** The Service ports to serve in the kernel now (replaces the previous set). */
  public record Update(List<IptablesRules.Entry> entries) implements Command {
    public Update {
      entries = List.copyOf(entries);
    }
  }

  /** Removes the chains (when configured) and stops. */
  public enum Stop implements Command { INSTANCE }

  private enum Sync implements Command { INSTANCE }

  private enum Resync implements Command { INSTANCE }

  private record Jump(String table, String chain, String match, String target) {}

  /** Whether {@code iptables-restore} can program the nat table here (root, the tools installed). */
  public static boolean available(HostCommands commands) {
    return commands.runWithInput("*nat\nCOMMIT\n", "iptables-restore", "-w", "--noflush", "--test").ok()
        && commands.run("iptables-save", "-t", "nat").ok();
  }

  public static Behavior<Command> create(HostCommands commands, IptablesSettings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new IptablesSync(context, timers, commands, settings)));
  }

  private final TimerScheduler<Command> timers;
  private final HostCommands commands;
  private final IptablesSettings settings;
  private final IptablesRules.Chains chains;
  private final List<Jump> jumps;
  private List<IptablesRules.Entry> wanted = List.of();
  private Map<ListenerKey, IptablesRules.Entry> applied = Map.of();
  private long lastSync;
  private boolean failing;

  private IptablesSync(ActorContext<Command> context, TimerScheduler<Command> timers, HostCommands commands,
      IptablesSettings settings) {
    super(context);
    this.timers = timers;
    this.commands = commands;
    this.settings = settings;
    this.chains = new IptablesRules.Chains(settings.chainPrefix());
    String portals = "-m comment --comment \"" + settings.chainPrefix().toLowerCase() + " service portals\"";
    String fresh = portals + " -m conntrack --ctstate NEW";
    this.jumps = List.of(
        new Jump("nat", "PREROUTING", portals, chains.services()),
        new Jump("nat", "OUTPUT", portals, chains.services()),
        new Jump("nat", "POSTROUTING", portals, chains.postrouting()),
        new Jump("filter", "INPUT", fresh, chains.services()),
        new Jump("filter", "FORWARD", fresh, chains.services()),
        new Jump("filter", "OUTPUT", fresh, chains.services()),
        new Jump("filter", "INPUT", portals, chains.firewall()),
        new Jump("filter", "OUTPUT", portals, chains.firewall()));
    cleanup(); // start over: whatever an earlier process left is replaced at the first sync
    prepareKernel();
    timers.startTimerWithFixedDelay(Resync.INSTANCE, settings.syncPeriod());
    sync();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Update.class, m -> {
          wanted = m.entries();
          long since = System.nanoTime() - lastSync;
          long min = settings.minSyncInterval().toNanos();
          if (since >= min && !failing) {
            sync();
          } else if (!timers.isTimerActive(Sync.INSTANCE)) {
            timers.startSingleTimer(Sync.INSTANCE, Sync.INSTANCE, Duration.ofNanos(Math.max(min - since, min / 4)));
          }
          return this;
        })
        .onMessageEquals(Sync.INSTANCE, () -> {
          sync();
          return this;
        })
        .onMessageEquals(Resync.INSTANCE, () -> {
          sync();
          return this;
        })
        .onMessageEquals(Stop.INSTANCE, () -> {
          if (settings.cleanupOnStop()) {
            cleanup();
          }
          return Behaviors.stopped();
        })
        .build();
  }

  /** Rewrites every chain of ours from {@link #wanted}; a failure is retried at the next tick. */
  private void sync() {
    lastSync = System.nanoTime();
    HostCommands.Result save = commands.run("iptables-save", "-t", "nat");
    Set<String> existing = save.ok() ? IptablesRules.chainsOf(save.output()) : Set.of();
    String text = IptablesRules.nat(chains, wanted, settings.clusterCidr(), existing)
        + IptablesRules.filter(chains, wanted);
    HostCommands.Result restore = commands.runWithInput(text, "iptables-restore", "-w", "--noflush");
    if (!restore.ok()) {
      if (!failing) {
        getContext().getLog().warn("Service proxy: iptables-restore failed (retrying): {}", restore.output());
      }
      failing = true;
      timers.startSingleTimer(Sync.INSTANCE, Sync.INSTANCE, settings.minSyncInterval().multipliedBy(5));
      return;
    }
    if (failing) {
      getContext().getLog().info("Service proxy: iptables rules applied again");
    }
    failing = false;
    jumps.forEach(this::ensure);
    Map<ListenerKey, IptablesRules.Entry> now = new HashMap<>();
    wanted.forEach(e -> now.put(e.spec().key(), e));
    clearUdpConntrack(applied, now);
    applied = now;
    getContext().getLog().debug("Service proxy: {} Service ports in iptables", now.size());
  }

  private void ensure(Jump jump) {
    String[] rule = rule(jump);
    if (!commands.run(iptables(jump, "-C", rule)).ok()) {
      HostCommands.Result added = commands.run(iptables(jump, "-I", rule, "1"));
      if (!added.ok()) {
        getContext().getLog().warn("Service proxy: could not add the jump {} -> {}: {}", jump.chain(), jump.target(),
            added.output());
      }
    }
  }

  /** Deletes stale UDP conntrack entries: those DNATed to an endpoint that went, and "no endpoint" ones. */
  private void clearUdpConntrack(Map<ListenerKey, IptablesRules.Entry> before, Map<ListenerKey, IptablesRules.Entry> now) {
    before.forEach((key, old) -> {
      if (key.protocol() != ListenerKey.Protocol.UDP) {
        return;
      }
      IptablesRules.Entry current = now.get(key);
      Set<Backend> gone = new HashSet<>(old.spec().backends());
      if (current != null) {
        gone.removeAll(current.spec().backends());
      }
      for (Backend backend : gone) {
        if (old.nodePort()) {
          conntrack("-D", "-p", "udp", "--orig-port-dst", Integer.toString(key.port()), "--dst-nat", backend.ip());
        } else {
          conntrack("-D", "-p", "udp", "--orig-dst", key.host(), "--orig-port-dst", Integer.toString(key.port()),
              "--dst-nat", backend.ip());
        }
      }
    });
    now.forEach((key, entry) -> {
      IptablesRules.Entry old = before.get(key);
      boolean hadNone = old == null || old.spec().backends().isEmpty();
      if (key.protocol() == ListenerKey.Protocol.UDP && hadNone && !entry.spec().backends().isEmpty()
          && !entry.nodePort()) {
        conntrack("-D", "-p", "udp", "--orig-dst", key.host(), "--orig-port-dst", Integer.toString(key.port()));
      }
    });
  }

  private void conntrack(String... args) {
    // exit 1 when there was nothing to delete: the normal case
    HostCommands.Result result = commands.run(concat("conntrack", args));
    getContext().getLog().debug("Service proxy: conntrack {}: {}", String.join(" ", args), result.output());
  }

  /** Removes the jumps and every chain of ours from both tables. */
  private void cleanup() {
    for (Jump jump : jumps) {
      String[] rule = rule(jump);
      for (int i = 0; i < 10 && commands.run(iptables(jump, "-D", rule)).ok(); i++) {
        // a rule inserted twice (two processes, a crash between check and insert) goes as well
      }
    }
    for (String table : List.of("nat", "filter")) {
      HostCommands.Result save = commands.run("iptables-save", "-t", table);
      if (save.ok()) {
        Set<String> existing = IptablesRules.chainsOf(save.output());
        if (existing.stream().anyMatch(c -> c.startsWith(chains.prefix() + "-"))) {
          HostCommands.Result removed = commands.runWithInput(IptablesRules.cleanup(table, chains, existing),
              "iptables-restore", "-w", "--noflush");
          if (!removed.ok()) {
            getContext().getLog().warn("Service proxy: could not remove the {} chains: {}", table, removed.output());
          }
        }
      }
    }
    applied = Map.of();
  }

  /**
   * What the kernel must allow: DNAT of a nodePort on 127.0.0.1 needs route_localnet (the
   * firewall chain keeps 127/8 from arriving from outside); pods on one bridge reach each other
   * through a clusterIP only if bridged traffic passes iptables (br_netfilter, as kube-proxy requires).
   */
  private void prepareKernel() {
    for (String[] sysctl : List.of(new String[] {"net.ipv4.conf.all.route_localnet", "1"},
        new String[] {"net.bridge.bridge-nf-call-iptables", "1"}, new String[] {"net.ipv4.ip_forward", "1"})) {
      HostCommands.Result result = commands.run("sysctl", "-w", sysctl[0] + "=" + sysctl[1]);
      if (!result.ok()) {
        getContext().getLog().warn("Service proxy: sysctl {}={} failed: {}", sysctl[0], sysctl[1], result.output());
      }
    }
  }

  private static String[] rule(Jump jump) {
    List<String> words = new java.util.ArrayList<>(split(jump.match()));
    words.add("-j");
    words.add(jump.target());
    return words.toArray(String[]::new);
  }

  /** Splits a match on spaces, keeping a double-quoted comment as one word. */
  private static List<String> split(String match) {
    List<String> words = new java.util.ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean quoted = false;
    for (char c : match.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (c == ' ' && !quoted) {
        if (!word.isEmpty()) {
          words.add(word.toString());
          word.setLength(0);
        }
      } else {
        word.append(c);
      }
    }
    if (!word.isEmpty()) {
      words.add(word.toString());
    }
    return words;
  }

  private static String[] concat(String first, String... rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }

  /** {@code iptables -w -t TABLE OP CHAIN [position] RULE...}. */
  private static String[] iptables(Jump jump, String op, String[] rule, String... position) {
    List<String> words = new java.util.ArrayList<>(List.of("iptables", "-w", "-t", jump.table(), op, jump.chain()));
    words.addAll(List.of(position));
    words.addAll(List.of(rule));
    return words.toArray(String[]::new);
  }
}
