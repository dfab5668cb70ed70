package io.steuermann.node.dns;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.engine.services.ServiceAddresses;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.TextParseException;

/**
 * Every name the cluster DNS answers, as one immutable snapshot built from Services, Endpoints
 * and Pods (the records of CoreDNS's kubernetes plugin, "pods verified"): queries only read it,
 * and a change builds a new one.
 *
 * <ul>
 *   <li>{@code svc.ns.svc.<domain>}: A = the clusterIP; headless ({@code clusterIP: None}) = the
 *       ready endpoint IPs, and no name at all without any; ExternalName = a CNAME.
 *   <li>{@code host.svc.ns.svc.<domain>} for each ready endpoint of a headless Service: its
 *       {@code hostname}, or its IP with dashes (as CoreDNS names endpoints without one).
 *   <li>{@code _port._proto.svc.ns.svc.<domain>} SRV for named ports: the Service name, or each
 *       endpoint name of a headless Service with the endpoint's port.
 *   <li>{@code a-b-c-d.ns.pod.<domain>} A for a pod of that namespace holding that IP.
 *   <li>PTR for clusterIPs (the Service), headless endpoints (their name) and pod IPs.
 * </ul>
 */
public final class DnsIndex {

  /** What a name is. */
  public sealed interface Lookup {}

  /** The name holds records: by type. */
  public record Found(Map<Integer, List<Record>> rrsets) implements Lookup {}

  /** The name exists only because names below it do (an "empty non-terminal"): NODATA. */
  public record EmptyNonTerminal() implements Lookup {}

  /** No such name in a zone of ours: NXDOMAIN with {@code soa}. */
  public record NoSuchName() implements Lookup {}

  /** Not a name this server is authoritative for. */
  public record NotOurs() implements Lookup {}

  private final Name zone;
  private final SOARecord soa;
  private final Map<Name, SOARecord> reverseSoas;
  private final List<Ipv4Cidr> reverseRanges;
  private final Map<Name, Map<Integer, List<Record>>> names;
  private final Set<Name> nonTerminals;

  private DnsIndex(Name zone, SOARecord soa, Map<Name, SOARecord> reverseSoas, List<Ipv4Cidr> reverseRanges,
      Map<Name, Map<Integer, List<Record>>> names, Set<Name> nonTerminals) {
    this.zone = zone;
    this.soa = soa;
    this.reverseSoas = reverseSoas;
    this.reverseRanges = reverseRanges;
    this.names = names;
    this.nonTerminals = nonTerminals;
  }

  public Name zone() {
    return zone;
  }

  /** How many names hold records (for logs and tests). */
  public int size() {
    return names.size();
  }

  public Lookup lookup(Name name) {
    Map<Integer, List<Record>> rrsets = names.get(name);
    if (rrsets != null) {
      return new Found(rrsets);
    }
    if (nonTerminals.contains(name)) {
      return new EmptyNonTerminal();
    }
    return soaFor(name).isPresent() ? new NoSuchName() : new NotOurs();
  }

  /** The SOA of the zone of ours that holds {@code name}, if any. */
  public Optional<SOARecord> soaFor(Name name) {
    if (name.subdomain(zone)) {
      return Optional.of(soa);
    }
    for (Map.Entry<Name, SOARecord> reverse : reverseSoas.entrySet()) {
      if (name.subdomain(reverse.getKey()) && reverseIsOurs(name)) {
        return Optional.of(reverse.getValue());
      }
    }
    return Optional.empty();
  }

  /**
   * A reverse name is ours when it is a whole address in the service range or the cluster CIDR,
   * or a step on the way to one we hold; the rest of, say, 10.in-addr.arpa is someone else's.
   */
  private boolean reverseIsOurs(Name name) {
    if (name.labels() == 7) { // d.c.b.a.in-addr.arpa. (the root counts as a label)
      StringBuilder ip = new StringBuilder();
      for (int i = 3; i >= 0; i--) {
        ip.append(name.getLabelString(i)).append(i > 0 ? "." : "");
      }
      String address = ip.toString();
      return reverseRanges.stream().anyMatch(r -> r.contains(address));
    }
    return nonTerminals.contains(name) || reverseSoas.containsKey(name);
  }

  // ------------------------------------------------------------------ building

  public static DnsIndex build(ClusterNetwork network, Duration ttl, Duration negativeTtl, Collection<ObjectNode> services,
      Map<String, ObjectNode> endpointsByKey, Collection<ObjectNode> pods) {
    Builder b = new Builder(network, ttl.toSeconds());
    Map<String, String> reverseDone = new HashMap<>();
    for (ObjectNode service : services) {
      b.service(service, endpointsByKey.get(key(Meta.namespace(service), Meta.name(service))), reverseDone);
    }
    for (ObjectNode pod : pods) {
      b.pod(pod, reverseDone);
    }
    b.apex(network);
    SOARecord soa = soa(b.zone, b.zone, negativeTtl.toSeconds());
    b.add(soa);
    Map<Name, SOARecord> reverseSoas = new LinkedHashMap<>();
    for (Ipv4Cidr range : List.of(network.serviceRange(), network.clusterCidr())) {
      Name reverseZone = reverseZone(range);
      reverseSoas.putIfAbsent(reverseZone, soa(reverseZone, b.zone, negativeTtl.toSeconds()));
    }
    List<Name> apexes = new ArrayList<>(reverseSoas.keySet());
    apexes.add(b.zone);
    Set<Name> nonTerminals = new HashSet<>();
    for (Name name : b.names.keySet()) {
      Name parent = name;
      while (parent.labels() > 1) {
        parent = new Name(parent, 1);
        Name candidate = parent;
        // only inside our zones: local. or in-addr.arpa. are not ours to answer
        if (apexes.stream().noneMatch(candidate::subdomain)) {
          break;
        }
        if (!b.names.containsKey(parent) && !nonTerminals.add(parent)) {
          break; // seen before: so were the names above it
        }
      }
    }
    // frozen in place: the builder's maps never leave it but through these read-only views
    b.names.replaceAll((name, rrsets) -> {
      rrsets.replaceAll((type, records) -> List.copyOf(records));
      return java.util.Collections.unmodifiableMap(rrsets);
    });
    return new DnsIndex(b.zone, soa, Map.copyOf(reverseSoas), List.of(network.serviceRange(), network.clusterCidr()),
        java.util.Collections.unmodifiableMap(b.names), java.util.Collections.unmodifiableSet(nonTerminals));
  }

  static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  /** The SOA CoreDNS gives its zones; the minimum (the negative TTL) is what matters. */
  private static SOARecord soa(Name owner, Name clusterZone, long negativeTtl) {
    Name ns = name("ns.dns." + clusterZone);
    Name admin = name("hostmaster." + clusterZone);
    return new SOARecord(owner, DClass.IN, negativeTtl, ns, admin, 1, 7200, 1800, 86400, negativeTtl);
  }

  /** The reverse zone of a block, cut at the octet its prefix fills: 10.96.0.0/12 -> 10.in-addr.arpa. */
  static Name reverseZone(Ipv4Cidr range) {
    String[] octets = ServiceAddresses.formatIpv4(range.network()).split("\\.");
    StringBuilder zone = new StringBuilder();
    for (int i = range.prefixLength() / 8 - 1; i >= 0; i--) {
      zone.append(octets[i]).append('.');
    }
    return name(zone + "in-addr.arpa.");
  }

  static Name name(String text) {
    try {
      return Name.fromString(text.endsWith(".") ? text : text + ".");
    } catch (TextParseException e) {
      throw new IllegalArgumentException("not a DNS name: " + text, e);
    }
  }

  /** Collects records by name and type. */
  private static final class Builder {
    /** A DNS-1123 label, what Kubernetes requires of namespaces, Service names and hostnames. */
    static final java.util.regex.Pattern LABEL = java.util.regex.Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    final Name zone;
    final long ttl;
    final Map<Name, Map<Integer, List<Record>>> names = new HashMap<>();

    Builder(ClusterNetwork network, long ttl) {
      this.zone = name(network.clusterDomain().toLowerCase());
      this.ttl = ttl;
    }

    void add(Record record) {
      List<Record> rrset = names.computeIfAbsent(record.getName(), n -> new HashMap<>())
          .computeIfAbsent(record.getType(), t -> new ArrayList<>());
      if (!rrset.contains(record)) {
        rrset.add(record);
      }
    }

    void apex(ClusterNetwork network) {
      // the zone's NS and the server's own name, so a resolver asking for them learns where it is
      Name ns = name("ns.dns." + zone);
      add(new NSRecord(zone, DClass.IN, ttl, ns));
      address(network.clusterDns()).ifPresent(ip -> add(new ARecord(ns, DClass.IN, ttl, ip)));
    }

    void service(ObjectNode service, ObjectNode endpoints, Map<String, String> reverseDone) {
      JsonNode spec = service.path("spec");
      String namespace = Meta.namespace(service).toLowerCase();
      String serviceName = Meta.name(service).toLowerCase();
      if (!LABEL.matcher(serviceName).matches() || !LABEL.matcher(namespace).matches()) {
        return; // the API refuses such names; one that got in anyway gets no record
      }
      Name base = labelled(serviceName + "." + namespace + ".svc." + zone);
      if (base == null) {
        return;
      }
      if ("ExternalName".equals(spec.path("type").asText())) {
        Name target = labelled(spec.path("externalName").asText("").toLowerCase());
        if (target != null) {
          add(new CNAMERecord(base, DClass.IN, ttl, target));
        }
        return;
      }
      String clusterIp = spec.path("clusterIP").asText("");
      if ("None".equals(clusterIp)) {
        headless(base, endpoints, reverseDone);
        return;
      }
      Optional<InetAddress> ip = address(clusterIp);
      if (ip.isEmpty()) {
        return; // no clusterIP yet: the Service has no name until it has an address
      }
      add(new ARecord(base, DClass.IN, ttl, ip.get()));
      ptr(ip.get(), base, reverseDone);
      for (JsonNode port : spec.path("ports")) {
        String portName = port.path("name").asText("");
        Name srv = srvName(portName, port.path("protocol").asText("TCP"), base);
        if (srv != null) {
          add(new SRVRecord(srv, DClass.IN, ttl, 0, 100, port.path("port").asInt(), base));
        }
      }
    }

    private void headless(Name base, ObjectNode endpoints, Map<String, String> reverseDone) {
      if (endpoints == null) {
        return;
      }
      // SRV targets per port name, to weigh them equally as CoreDNS does (100 / count)
      Map<Name, List<int[]>> srvPorts = new LinkedHashMap<>();
      Map<Name, List<Name>> srvTargets = new LinkedHashMap<>();
      for (JsonNode subset : endpoints.path("subsets")) {
        for (JsonNode address : subset.path("addresses")) {
          Optional<InetAddress> ip = address(address.path("ip").asText(""));
          if (ip.isEmpty()) {
            continue;
          }
          String hostname = address.path("hostname").asText("");
          String host = hostname.isEmpty() || !LABEL.matcher(hostname.toLowerCase()).matches()
              ? ip.get().getHostAddress().replace('.', '-') : hostname.toLowerCase();
          Name target = labelled(host + "." + base);
          add(new ARecord(base, DClass.IN, ttl, ip.get()));
          if (target == null) {
            continue;
          }
          add(new ARecord(target, DClass.IN, ttl, ip.get()));
          ptr(ip.get(), target, reverseDone);
          for (JsonNode port : subset.path("ports")) {
            Name srv = srvName(port.path("name").asText(""), port.path("protocol").asText("TCP"), base);
            if (srv != null) {
              srvPorts.computeIfAbsent(srv, s -> new ArrayList<>()).add(new int[] {port.path("port").asInt()});
              srvTargets.computeIfAbsent(srv, s -> new ArrayList<>()).add(target);
            }
          }
        }
      }
      srvTargets.forEach((srv, targets) -> {
        int weight = Math.max(1, 100 / targets.size());
        List<int[]> ports = srvPorts.get(srv);
        for (int i = 0; i < targets.size(); i++) {
          add(new SRVRecord(srv, DClass.IN, ttl, 0, weight, ports.get(i)[0], targets.get(i)));
        }
      });
    }

    void pod(ObjectNode pod, Map<String, String> reverseDone) {
      Optional<InetAddress> ip = address(pod.path("status").path("podIP").asText(""));
      String phase = pod.path("status").path("phase").asText("");
      if (ip.isEmpty() || phase.equals("Succeeded") || phase.equals("Failed")) {
        return;
      }
      Name name = labelled(ip.get().getHostAddress().replace('.', '-') + "." + Meta.namespace(pod).toLowerCase()
          + ".pod." + zone);
      if (name == null) {
        return;
      }
      add(new ARecord(name, DClass.IN, ttl, ip.get()));
      // a hostNetwork pod holds its node's address, which is no pod's to name
      if (!pod.path("spec").path("hostNetwork").asBoolean(false)) {
        ptr(ip.get(), name, reverseDone);
      }
    }

    /** One PTR per address: the first name given (Services before pods) wins. */
    private void ptr(InetAddress ip, Name target, Map<String, String> reverseDone) {
      String address = ip.getHostAddress();
      if (reverseDone.putIfAbsent(address, target.toString()) == null) {
        add(new PTRRecord(ReverseMap.fromAddress(ip), DClass.IN, ttl, target));
      }
    }

    private static Name srvName(String portName, String protocol, Name base) {
      if (portName.isEmpty()) {
        return null; // only named ports have SRV records
      }
      return labelled("_" + portName.toLowerCase() + "._" + protocol.toLowerCase() + "." + base);
    }

    /** A name from API text, or null when the text is no valid DNS name (never fail a whole rebuild). */
    private static Name labelled(String text) {
      if (text.isEmpty()) {
        return null;
      }
      try {
        return Name.fromString(text.endsWith(".") ? text : text + ".");
      } catch (TextParseException e) {
        return null;
      }
    }

    private static Optional<InetAddress> address(String ip) {
      long parsed = ServiceAddresses.parseIpv4(ip);
      if (parsed < 0) {
        return Optional.empty();
      }
      try {
        return Optional.of(InetAddress.getByAddress(new byte[] {
            (byte) (parsed >>> 24), (byte) (parsed >>> 16), (byte) (parsed >>> 8), (byte) parsed}));
      } catch (UnknownHostException e) {
        return Optional.empty();
      }
    }
  }
}
