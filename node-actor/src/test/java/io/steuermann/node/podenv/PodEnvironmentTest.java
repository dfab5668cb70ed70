package io.steuermann.node.podenv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.network.ClusterNetwork;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** kubelet's worked examples: resolv.conf per dnsPolicy, /etc/hosts, the Service variables. */
class PodEnvironmentTest {
  private static final ClusterNetwork NETWORK = ClusterNetwork.fromConfig(ConfigFactory.load());

  private static JsonNode json(String text) {
    try {
      return Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void clusterFirstPointsAtTheClusterDnsWithTheNamespacesSearchPath() {
    assertEquals("""
        search shop.svc.cluster.local svc.cluster.local cluster.local
        nameserver 10.96.0.10
        options ndots:5
        """, ResolvConf.render(json("{}"), "shop", NETWORK));
    // dnsConfig adds to the policy's; options merge by name
    assertEquals("""
        search shop.svc.cluster.local svc.cluster.local cluster.local example.test
        nameserver 10.96.0.10
        nameserver 10.96.0.53
        options ndots:2 edns0
        """, ResolvConf.render(json("""
        {"dnsConfig": {"nameservers": ["10.96.0.53"], "searches": ["example.test", "svc.cluster.local"],
                       "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}}"""), "shop", NETWORK));
  }

  @Test
  void defaultAndHostNetworkKeepTheNodesNoneOnlyDnsConfig() {
    assertNull(ResolvConf.render(json("{\"dnsPolicy\": \"Default\"}"), "shop", NETWORK));
    assertNull(ResolvConf.render(json("{\"hostNetwork\": true}"), "shop", NETWORK));
    assertEquals("search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n"
        + "options ndots:5\n", ResolvConf.render(json("{\"hostNetwork\": true, \"dnsPolicy\": \"ClusterFirstWithHostNet\"}"),
        "shop", NETWORK));
    assertEquals("search a.test\nnameserver 10.96.0.53\nnameserver 10.96.0.54\nnameserver 10.96.0.55\n",
        ResolvConf.render(json("""
            {"dnsPolicy": "None", "dnsConfig": {"nameservers": ["10.96.0.53", "10.96.0.54", "10.96.0.55", "10.96.0.56"],
             "searches": ["a.test"]}}"""), "shop", NETWORK));
  }

  @Test
  void hostsFileAsKubeletWritesIt() {
    EtcHosts plain = EtcHosts.of("web-7f9c", "shop", json("{}"), NETWORK);
    assertEquals("web-7f9c", plain.hostname());
    String file = plain.render("10.244.1.5");
    assertEquals("# Kubernetes-managed hosts file.", file.lines().findFirst().orElseThrow());
    assertEquals("10.244.1.5\tweb-7f9c", file.lines().reduce((a, b) -> b).orElseThrow());

    String named = EtcHosts.of("db-0", "shop", json("""
        {"hostname": "db-0", "subdomain": "db", "hostAliases": [{"ip": "10.1.2.3", "hostnames": ["foo.local", "bar"]}]}"""),
        NETWORK).render("10.244.1.6");
    assertEquals(List.of("10.244.1.6\tdb-0.db.shop.svc.cluster.local\tdb-0", "", "# Entries added by HostAliases.",
        "10.1.2.3\tfoo.local\tbar"), named.lines().skip(7).toList());
    assertNull(EtcHosts.of("h", "shop", json("{\"hostNetwork\": true}"), NETWORK));
    // a long pod name is cut to a DNS label that ends in an alphanumeric
    assertEquals("a".repeat(62), EtcHosts.hostname("a".repeat(62) + "-xyz", json("{}")));
  }

  @Test
  void serviceVariablesAsKubeletSetsThem() {
    JsonNode backend = json("""
        {"metadata": {"name": "back-end"}, "spec": {"clusterIP": "10.96.4.7",
         "ports": [{"name": "http", "port": 80}, {"name": "dns", "port": 53, "protocol": "UDP"}]}}""");
    JsonNode headless = json("{\"metadata\": {\"name\": \"peers\"}, \"spec\": {\"clusterIP\": \"None\", "
        + "\"ports\": [{\"port\": 80}]}}");
    JsonNode kubernetes = json("""
        {"metadata": {"name": "kubernetes"}, "spec": {"clusterIP": "10.96.0.1",
         "ports": [{"name": "https", "port": 443}]}}""");
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("BACK_END_SERVICE_HOST", "10.96.4.7");
    expected.put("BACK_END_SERVICE_PORT", "80");
    expected.put("BACK_END_SERVICE_PORT_HTTP", "80");
    expected.put("BACK_END_SERVICE_PORT_DNS", "53");
    expected.put("BACK_END_PORT", "tcp://10.96.4.7:80");
    expected.put("BACK_END_PORT_80_TCP", "tcp://10.96.4.7:80");
    expected.put("BACK_END_PORT_80_TCP_PROTO", "tcp");
    expected.put("BACK_END_PORT_80_TCP_PORT", "80");
    expected.put("BACK_END_PORT_80_TCP_ADDR", "10.96.4.7");
    expected.put("BACK_END_PORT_53_UDP", "udp://10.96.4.7:53");
    expected.put("BACK_END_PORT_53_UDP_PROTO", "udp");
    expected.put("BACK_END_PORT_53_UDP_PORT", "53");
    expected.put("BACK_END_PORT_53_UDP_ADDR", "10.96.4.7");
    Map<String, String> all = ServiceEnvironment.variables(List.of(headless, backend), kubernetes, true);
    Map<String, String> backendOnly = new LinkedHashMap<>(all);
    backendOnly.keySet().removeIf(k -> k.startsWith("KUBERNETES_"));
    assertEquals(expected, backendOnly);
    assertEquals("10.96.0.1", all.get("KUBERNETES_SERVICE_HOST"));
    assertEquals("443", all.get("KUBERNETES_SERVICE_PORT"));
    assertEquals("443", all.get("KUBERNETES_SERVICE_PORT_HTTPS"));
    // enableServiceLinks: false keeps only the API's
    assertEquals(Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1", "KUBERNETES_SERVICE_PORT", "443",
        "KUBERNETES_SERVICE_PORT_HTTPS", "443", "KUBERNETES_PORT", "tcp://10.96.0.1:443",
        "KUBERNETES_PORT_443_TCP", "tcp://10.96.0.1:443", "KUBERNETES_PORT_443_TCP_PROTO", "tcp",
        "KUBERNETES_PORT_443_TCP_PORT", "443", "KUBERNETES_PORT_443_TCP_ADDR", "10.96.0.1"),
        ServiceEnvironment.variables(List.of(backend), kubernetes, false));
  }
}
