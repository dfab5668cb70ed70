package io.steuermann.machines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.network.Ipv4Cidr;
import io.steuermann.it.ApiClient;
import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerLogs;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The pod network across machines (issue 10): a control member on the host, a worker on each
 * of two machines with its own engine, node IPAM giving each node its block. A pod on machine
 * A reaches a pod on machine B by its pod IP (host-gw routes between the machines, no NAT: the
 * backend sees the client's pod IP), and through a Service's clusterIP whose only backend runs
 * on B; a frontend pod on A (busybox httpd with the {@code call} CGI of the fetch image)
 * asked from machine A's host calls the backend through the Service; and the pod reaches the
 * API through {@code default/kubernetes}.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class CrossMachinePodNetworkTest {
  private static final String PODS = ApiClient.PODS;
  private static final String SERVICES = "/api/v1/namespaces/default/services";

  @Test
  void aPodOnOneMachineReachesAPodAndAServiceOnAnother() throws Exception {
    try (PostgresDatabase db = PostgresDatabase.createFresh(); Machines rig = Machines.start(2)) {
      Machine a = rig.machine("a");
      Machine b = rig.machine("b");
      String image = Images.fetchImage();
      rig.importImage(image, Images.fetchRootfs());
      ApiClient api = Members.start(rig, db).api();

      assertEquals(201, api.create(SERVICES, json("""
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"backend"},
           "spec":{"selector":{"app":"backend"},"ports":[{"name":"http","port":80,"targetPort":80}]}}
          """)).status());
      String clusterIp = api.get(SERVICES + "/backend").body().path("spec").path("clusterIP").asText();
      assertEquals(201, api.create(PODS, pod("backend-0", Machines.nodeName(b), "backend", "")).status());
      assertEquals(201, api.create(PODS, pod("frontend-0", Machines.nodeName(a), "frontend",
          "http://" + clusterIp + "/cgi-bin/hostname")).status());
      JsonNode backend = awaitRunning(api, "backend-0");
      JsonNode frontend = awaitRunning(api, "frontend-0");
      String backendIp = backend.path("status").path("podIP").asText();
      String frontendIp = frontend.path("status").path("podIP").asText();
      assertTrue(inCidr(backendIp, api, b), backendIp + " in machine b's pod CIDR");
      assertTrue(inCidr(frontendIp, api, a), frontendIp + " in machine a's pod CIDR");
      String backendHostname = exec(b, "backend-0", "hostname").check().out().strip();

      // kubectl exec and logs through the control member, which runs no node: relayed to the
      // API of machine b's worker, whose Docker engine runs the pod
      Kubectl viaControl = new Kubectl(api.base().toString());
      assertEquals(new Kubectl.Result(0, backendHostname + "\n"), viaControl.run("exec", "backend-0", "--", "hostname"));
      assertEquals(0, viaControl.run("logs", "backend-0").exit());
      // kubectl top through the control member: the metrics of machine b's worker, asked by the control member
      await("kubectl top pod through the control member").atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofSeconds(2))
          .until(() -> viaControl.run("top", "pod", "backend-0").output().contains("backend-0"));

      // kubectl port-forward through the control member: the tunnel relayed to machine b's worker,
      // which connects into the pod's network
      Path forwardOut = Files.createTempFile("port-forward", ".out");
      Process forward = viaControl.start(forwardOut, "port-forward", "pod/backend-0", "0:80");
      try {
        Pattern forwarding = Pattern.compile("Forwarding from 127\\.0\\.0\\.1:(\\d+) -> 80");
        String local = await("kubectl port-forward listens").atMost(Duration.ofSeconds(60))
            .until(() -> {
              Matcher m = forwarding.matcher(Files.readString(forwardOut));
              return m.find() ? m.group(1) : null;
            }, Objects::nonNull);
        HttpResponse<String> viaForward = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + local + "/cgi-bin/hostname"))
                .timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(backendHostname, viaForward.body().strip(), Files.readString(forwardOut));
      } finally {
        forward.destroy();
      }

      // pod on A -> pod on B by pod IP
      Shell.Result direct = exec(a, "frontend-0", "fetch", "-v", "-t", "5", "http://" + backendIp + "/cgi-bin/hostname");
      assertEquals(backendHostname, direct.check().out().strip(), direct.toString());
      // ... without NAT: the backend's httpd sees the client's pod IP (busybox httpd's REMOTE_ADDR)
      Shell.Result seen = exec(a, "frontend-0", "sh", "-c",
          "printf 'GET /cgi-bin/remote HTTP/1.0\\r\\n\\r\\n' | nc -w 5 " + backendIp + " 80");
      assertTrue(seen.out().contains(frontendIp), seen.toString());

      // pod on A -> Service clusterIP -> pod on B (endpoints and proxy follow within a few seconds)
      await("the Service answers from machine a's pod").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> exec(a, "frontend-0", "fetch", "-t", "3", "http://" + clusterIp + "/cgi-bin/hostname")
              .out().strip().equals(backendHostname));

      // frontend pod's CGI calls the backend through the Service; asked from machine A's host
      Shell.Result call = a.exec(Images.fetchRootfs().resolve("bin/fetch").toString(), "-t", "10",
          "http://" + frontendIp + "/cgi-bin/call");
      assertEquals(backendHostname, call.check().out().strip(), call.toString());

      // the API from inside a pod: default/kubernetes (10.96.0.1:443) over the API servers of all
      // members, on the host and on the machines
      JsonNode kubernetes = api.get(SERVICES + "/kubernetes").body();
      String apiIp = kubernetes.path("spec").path("clusterIP").asText();
      await("the API answers a pod on machine a at " + apiIp + ":443").atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> exec(a, "frontend-0", "fetch", "-t", "3", "http://" + apiIp + ":443/api/v1/namespaces/default/services/backend")
              .out().contains("\"clusterIP\":\"" + clusterIp + "\""));
    }
  }

  static JsonNode awaitRunning(ApiClient api, String name) {
    await(name + " Running with a pod IP").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> {
          JsonNode s = api.get(PODS + "/" + name).body().path("status");
          return "Running".equals(s.path("phase").asText()) && !s.path("podIP").asText().isEmpty();
        });
    return api.get(PODS + "/" + name).body();
  }

  private static boolean inCidr(String ip, ApiClient api, Machine m) {
    String cidr = api.get("/api/v1/nodes/" + Machines.nodeName(m)).body().path("spec").path("podCIDR").asText();
    return Ipv4Cidr.parse(cidr).contains(ip);
  }

  /** Runs {@code command} in the app container of pod {@code pod} on {@code m}'s engine. */
  static Shell.Result exec(Machine m, String pod, String... command) {
    String id = m.docker("ps", "-q", "--filter", "label=steuermann.io/pod-name=" + pod,
        "--filter", "label=steuermann.io/container=app").check().out().strip();
    if (id.isEmpty() || id.contains("\n")) {
      throw new AssertionError("not one app container of " + pod + " on machine " + m.name() + ": '" + id + "'");
    }
    String[] args = new String[command.length + 2];
    args[0] = "exec";
    args[1] = id;
    System.arraycopy(command, 0, args, 2, command.length);
    return m.docker(args);
  }

  /** A pod of the fetch image serving /www with busybox httpd, on {@code node}. */
  static JsonNode pod(String name, String node, String app, String backendUrl) throws Exception {
    return json("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"%s"}},
         "spec":{"nodeName":"%s","containers":[{"name":"app","image":"%s",
           "command":["httpd","-f","-p","80","-h","/www"],
           "env":[{"name":"BACKEND_URL","value":"%s"}],
           "ports":[{"name":"http","containerPort":80}],
           "readinessProbe":{"tcpSocket":{"port":80},"periodSeconds":1}}]}}
        """.formatted(name, app, node, Images.fetchImage(), backendUrl));
  }

  private static JsonNode json(String s) throws Exception {
    return ApiClient.JSON.readTree(s);
  }
}
