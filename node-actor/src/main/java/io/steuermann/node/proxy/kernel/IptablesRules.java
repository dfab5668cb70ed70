package io.steuermann.node.proxy.kernel;

import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.ListenerSpec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.HexFormat;

/**
 * The pure part of the kernel data path: from the Service ports this machine serves in the
 * kernel to an {@code iptables-restore --noflush} text for the nat and filter tables, laid out
 * as kube-proxy's iptables mode:
 *
 * <pre>
 * nat    PREROUTING, OUTPUT -> P-SERVICES: one rule per clusterIP:port -> P-SVC-hash;
 *                               last, local destinations -> P-NODEPORTS (nodePort -> P-SVC-hash)
 *        P-SVC-hash: mark for masquerade what does not come from the pod network (the host, other
 *                    machines; every nodePort), then one rule per ready endpoint,
 *                    "-m statistic --mode random --probability 1/(n-i)" -> P-SEP-hash
 *        P-SEP-hash: mark hairpin traffic (the endpoint calling itself), DNAT to the endpoint
 *        POSTROUTING -> P-POSTROUTING: MASQUERADE what was marked
 * filter INPUT, FORWARD, OUTPUT (new connections) -> P-SERVICES: REJECT a Service port without
 *        ready endpoints; P-FIREWALL drops 127.0.0.0/8 arriving from outside (route_localnet)
 * </pre>
 *
 * Declaring a chain in the text flushes it, so each sync rewrites every chain of ours whole;
 * chains of ours that are no longer wanted are flushed and deleted ({@code -X}) in the same
 * transaction. The jumps from the built-in chains are kept by {@link IptablesSync}.
 */
public final class IptablesRules {
  /** kube-proxy's masquerade bit. */
  public static final String MASQ_MARK = "0x4000";

  private IptablesRules() {}

  /**
   * One Service port served in the kernel: its spec (listener key = clusterIP:port or
   * nodeAddress:nodePort, with the ready endpoints) and whether it is a nodePort.
   */
  public record Entry(ListenerSpec spec, boolean nodePort) {}

  /** The chain names, derived from the prefix. */
  public record Chains(String prefix) {
    public String services() {
      return prefix + "-SERVICES";
    }

    public String nodePorts() {
      return prefix + "-NODEPORTS";
    }

    public String postrouting() {
      return prefix + "-POSTROUTING";
    }

    public String markMasq() {
      return prefix + "-MARK-MASQ";
    }

    public String firewall() {
      return prefix + "-FIREWALL";
    }

    /** The per-Service and per-endpoint chains (whose names are hashes) start with these. */
    public boolean isHashed(String chain) {
      return chain.startsWith(prefix + "-SVC-") || chain.startsWith(prefix + "-SEP-");
    }

    public String service(Entry entry) {
      return prefix + "-SVC-" + hash(entry.spec().key().toString() + "|" + entry.spec().servicePort());
    }

    public String endpoint(Entry entry, Backend backend) {
      return prefix + "-SEP-" + hash(entry.spec().key().toString() + "|" + entry.spec().servicePort() + "|" + backend);
    }
  }

  /** The nat table's text; {@code existing} are the nat chains now present (hashed ones not wanted are deleted). */
  public static String nat(Chains chains, Collection<Entry> entries, String clusterCidr, Collection<String> existing) {
    List<Entry> sorted = sorted(entries);
    Set<String> declared = new LinkedHashSet<>(List.of(chains.services(), chains.nodePorts(), chains.postrouting(),
        chains.markMasq()));
    List<String> rules = new ArrayList<>();
    rules.add("-A " + chains.markMasq() + " -j MARK --or-mark " + MASQ_MARK);
    rules.add("-A " + chains.postrouting() + " -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
    // the mark would otherwise stay on the packet and masquerade it again when re-encapsulated
    rules.add("-A " + chains.postrouting() + " -j MARK --xor-mark " + MASQ_MARK);
    rules.add("-A " + chains.postrouting() + " -m comment --comment \"service traffic needing SNAT\" -j MASQUERADE");
    List<String> nodePortRules = new ArrayList<>();
    for (Entry entry : sorted) {
      List<Backend> backends = entry.spec().backends();
      if (backends.isEmpty()) {
        continue; // refused in the filter table
      }
      ListenerSpec spec = entry.spec();
      String proto = proto(entry);
      String comment = " -m comment --comment \"" + spec.servicePort() + (entry.nodePort() ? " nodePort" : "") + "\"";
      String svc = chains.service(entry);
      declared.add(svc);
      if (entry.nodePort()) {
        nodePortRules.add("-A " + chains.nodePorts() + comment + " -p " + proto + " --dport " + spec.key().port()
            + " -j " + svc);
        rules.add("-A " + svc + comment + " -j " + chains.markMasq());
      } else {
        rules.add("-A " + chains.services() + comment + " -d " + spec.key().host() + "/32 -p " + proto + " --dport "
            + spec.key().port() + " -j " + svc);
        String notPods = clusterCidr.isEmpty() ? "" : " ! -s " + clusterCidr;
        rules.add("-A " + svc + comment + notPods + " -d " + spec.key().host() + "/32 -p " + proto + " --dport "
            + spec.key().port() + " -j " + chains.markMasq());
      }
      for (int i = 0; i < backends.size(); i++) {
        Backend backend = backends.get(i);
        String sep = chains.endpoint(entry, backend);
        declared.add(sep);
        int left = backends.size() - i;
        String pick = left > 1 ? " -m statistic --mode random --probability " + probability(left) : "";
        rules.add("-A " + svc + comment + pick + " -j " + sep);
        rules.add("-A " + sep + comment + " -s " + backend.ip() + "/32 -j " + chains.markMasq());
        rules.add("-A " + sep + comment + " -p " + proto + " -j DNAT --to-destination " + backend);
      }
    }
    // nodePorts last, as kube-proxy: a clusterIP rule never loses to a nodePort of the same number
    rules.add("-A " + chains.services() + " -m comment --comment \"nodePorts on local addresses\""
        + " -m addrtype --dst-type LOCAL -j " + chains.nodePorts());
    rules.addAll(nodePortRules);
    return table("nat", declared, stale(chains, existing, declared), rules);
  }

  /** The filter table's text: REJECT for Service ports without ready endpoints, and the localnet firewall. */
  public static String filter(Chains chains, Collection<Entry> entries) {
    Set<String> declared = new LinkedHashSet<>(List.of(chains.services(), chains.firewall()));
    List<String> rules = new ArrayList<>();
    for (Entry entry : sorted(entries)) {
      if (!entry.spec().backends().isEmpty()) {
        continue;
      }
      ListenerSpec spec = entry.spec();
      String comment = " -m comment --comment \"" + spec.servicePort() + " has no endpoints\"";
      String where = entry.nodePort() ? " -m addrtype --dst-type LOCAL" : " -d " + spec.key().host() + "/32";
      rules.add("-A " + chains.services() + comment + where + " -p " + proto(entry) + " --dport " + spec.key().port()
          + " -j REJECT");
    }
    // route_localnet lets a nodePort on 127.0.0.1 be DNATed; this keeps 127/8 from arriving from outside
    rules.add("-A " + chains.firewall() + " -m comment --comment \"block incoming localnet connections\""
        + " -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP");
    return table("filter", declared, List.of(), rules);
  }

  /** Flushes and deletes every chain of ours in {@code existing} (the jumps to them must be gone first). */
  public static String cleanup(String table, Chains chains, Collection<String> existing) {
    List<String> ours = existing.stream().filter(c -> c.startsWith(chains.prefix() + "-")).sorted().toList();
    StringBuilder text = new StringBuilder("*" + table + "\n");
    ours.forEach(c -> text.append(':').append(c).append(" - [0:0]\n"));
    ours.forEach(c -> text.append("-X ").append(c).append('\n'));
    return text.append("COMMIT\n").toString();
  }

  /** The chains of an {@code iptables-save -t TABLE} output. */
  public static Set<String> chainsOf(String save) {
    Set<String> chains = new TreeSet<>();
    for (String line : save.split("\n")) {
      if (line.startsWith(":")) {
        chains.add(line.substring(1).split(" ", 2)[0]);
      }
    }
    return chains;
  }

  /** kube-proxy's format: ten decimals, so that a rule reads the same at every sync. */
  static String probability(int left) {
    return String.format(Locale.ROOT, "%.10f", 1.0 / left);
  }

  private static List<String> stale(Chains chains, Collection<String> existing, Set<String> declared) {
    return existing.stream().filter(chains::isHashed).filter(c -> !declared.contains(c)).sorted().toList();
  }

  private static String table(String name, Set<String> declared, List<String> stale, List<String> rules) {
    StringBuilder text = new StringBuilder("*" + name + "\n");
    declared.forEach(c -> text.append(':').append(c).append(" - [0:0]\n"));
    stale.forEach(c -> text.append(':').append(c).append(" - [0:0]\n"));
    rules.forEach(r -> text.append(r).append('\n'));
    stale.forEach(c -> text.append("-X ").append(c).append('\n'));
    return text.append("COMMIT\n").toString();
  }

  private static List<Entry> sorted(Collection<Entry> entries) {
    return entries.stream().sorted(Comparator.comparing((Entry e) -> e.spec().key().toString())).toList();
  }

  private static String proto(Entry entry) {
    return entry.spec().key().protocol().name().toLowerCase(Locale.ROOT);
  }

  /** 12 hex digits of a SHA-256 (kube-proxy takes 16 base32 characters): stable, and short enough for a 28-character chain name. */
  static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().withUpperCase().formatHex(digest, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
