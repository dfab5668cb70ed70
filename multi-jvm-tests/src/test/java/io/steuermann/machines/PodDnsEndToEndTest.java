package io.steuermann.machines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.it.ApiClient;
import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerLogs;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 10 on one machine (a rig of one: its own engine, nothing routed off it): a client pod
 * resolves {@code backend} and {@code backend.default.svc.cluster.local} to the clusterIP
 * through the cluster DNS its resolv.conf names, and its requests BY NAME reach both backends;
 * a headless Service resolves to the pod IPs, a pod's hostname and subdomain to its own; the
 * Service variables are set; the API answers at {@code KUBERNETES_SERVICE_HOST}; a name outside
 * the cluster is refused, not forwarded.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class PodDnsEndToEndTest {
  private static final String SERVICES = "/api/v1/namespaces/default/services";

  @Test
  void aPodFindsServicesPodsAndTheApiByName() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.createFresh(); Machines rig = Machines.start(1)) {
      Machine a = rig.machine("a");
      String node = Machines.nodeName(a);
      rig.importImage(Images.fetchImage(), Images.fetchRootfs());
      ApiClient api = Members.start(rig, db).api();
      assertEquals(201, api.create(SERVICES, json("""
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend"},
           "spec":{"selector":{"app":"backend"},"ports":[{"name":"http","port":80,"targetPort":80}]}}""")).status());
      assertEquals(201, api.create(SERVICES, json("""
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"peers"},
           "spec":{"clusterIP":"None","selector":{"app":"backend"},"ports":[{"name":"http","port":80}]}}""")).status());
      String clusterIp = api.get(SERVICES + "/backend").body().path("spec").path("clusterIP").asText();
      for (String name : List.of("backend-1", "backend-2")) {
        assertEquals(201, api.create(ApiClient.PODS, CrossMachinePodNetworkTest.pod(name, node, "backend", "")).status());
      }
      // a backend that names itself: hostname + subdomain (the headless Service), and an alias
      ObjectNode named = (ObjectNode) CrossMachinePodNetworkTest.pod("db-0", node, "backend", "");
      ((ObjectNode) named.path("spec")).put("hostname", "db-0").put("subdomain", "peers")
          .set("hostAliases", json("[{\"ip\":\"10.1.2.3\",\"hostnames\":[\"legacy.example\"]}]"));
      assertEquals(201, api.create(ApiClient.PODS, named).status());
      assertEquals(201, api.create(ApiClient.PODS, CrossMachinePodNetworkTest.pod("client", node, "client", "")).status());
      Set<String> backendIps = new HashSet<>();
      for (String name : List.of("backend-1", "backend-2", "db-0")) {
        backendIps.add(CrossMachinePodNetworkTest.awaitRunning(api, name).path("status").path("podIP").asText());
      }
      String dbIp = api.get(ApiClient.PODS + "/db-0").body().path("status").path("podIP").asText();
      CrossMachinePodNetworkTest.awaitRunning(api, "client");

      // resolv.conf: the cluster DNS, the namespace's search path, ndots:5
      String resolv = exec(a, "client", "cat", "/etc/resolv.conf").check().out();
      assertEquals("search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\n"
          + "options ndots:5\n", resolv);

      // names of Services: short (search path) and fully qualified, both the clusterIP
      await("backend resolves").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
          .until(() -> exec(a, "client", "nslookup", "backend.default.svc.cluster.local").out().contains(clusterIp));
      assertTrue(lookup(a, "backend").contains(clusterIp), lookup(a, "backend"));
      // a headless Service: the ready pods' IPs
      await("peers resolves to the pod IPs").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
          .until(() -> backendIps.stream().allMatch(lookup(a, "peers.default.svc.cluster.local")::contains));
      assertTrue(lookup(a, "db-0.peers.default.svc.cluster.local").contains(dbIp));
      assertTrue(lookup(a, dbIp.replace('.', '-') + ".default.pod.cluster.local").contains(dbIp));
      // outside the cluster: refused, never forwarded
      Shell.Result outside = exec(a, "client", "nslookup", "example.com");
      assertFalse(outside.ok() && outside.out().contains("Name:"), outside.toString());

      // requests by name reach every backend (fetch resolves with musl: search path, ndots)
      Set<String> hostnames = new HashSet<>();
      for (String name : List.of("backend-1", "backend-2", "db-0")) {
        hostnames.add(exec(a, name, "hostname").check().out().strip());
      }
      assertTrue(hostnames.contains("db-0"), "spec.hostname is the pod's host name: " + hostnames);
      Set<String> answered = new HashSet<>();
      await("every backend answers http://backend/").atMost(Duration.ofSeconds(60)).until(() -> {
        Shell.Result r = exec(a, "client", "fetch", "-t", "5", "http://backend/cgi-bin/hostname");
        if (r.ok()) {
          answered.add(r.out().strip());
        }
        return answered.containsAll(hostnames);
      });

      // the pod's own names in /etc/hosts, with the aliases
      String hosts = exec(a, "db-0", "cat", "/etc/hosts").check().out();
      assertTrue(hosts.contains(dbIp + "\tdb-0.peers.default.svc.cluster.local\tdb-0"), hosts);
      assertTrue(hosts.contains("# Entries added by HostAliases.\n10.1.2.3\tlegacy.example"), hosts);

      // the Service variables, as kubelet sets them, and the API behind KUBERNETES_SERVICE_HOST
      String env = exec(a, "client", "env").check().out();
      for (String line : List.of("BACKEND_SERVICE_HOST=" + clusterIp, "BACKEND_SERVICE_PORT=80",
          "BACKEND_SERVICE_PORT_HTTP=80", "BACKEND_PORT=tcp://" + clusterIp + ":80",
          "BACKEND_PORT_80_TCP_ADDR=" + clusterIp, "KUBERNETES_SERVICE_HOST=10.96.0.1",
          "KUBERNETES_SERVICE_PORT=443", "KUBERNETES_SERVICE_PORT_HTTPS=443")) {
        assertTrue(env.lines().anyMatch(line::equals), line + " in\n" + env);
      }
      assertFalse(env.contains("PEERS_SERVICE_HOST"), "a headless Service has no variables");
      await("the API answers at KUBERNETES_SERVICE_HOST").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> exec(a, "client", "sh", "-c",
              "fetch -t 5 http://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/api/v1/namespaces/default/pods/client")
              .out().contains("\"name\":\"client\""));
    }
  }

  private static String lookup(Machine m, String name) {
    return exec(m, "client", "nslookup", name).out();
  }

  private static Shell.Result exec(Machine m, String pod, String... command) {
    return CrossMachinePodNetworkTest.exec(m, pod, command);
  }

  private static JsonNode json(String s) throws Exception {
    return ApiClient.JSON.readTree(s);
  }
}
