package io.steuermann.machines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.it.ApiClient;
import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerLogs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The benchmark of issue 10's data path ({@code bin/bench-pod-network}; not part of the test
 * suite: its name matches no test pattern). Two simulated machines; a client pod on A; a server
 * pod on A and one on B ({@code svcnet sink} for bulk TCP, {@code svcnet echo} for 64-byte
 * request/response); a Service in front of each. In one run, for the kernel path (iptables) and
 * the user-space proxy: pod -> pod directly against pod -> clusterIP -> pod, same machine and
 * across. Prints the figures and their ratios.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 900, unit = TimeUnit.SECONDS)
class PodNetworkBench {
  private static final String SERVICES = "/api/v1/namespaces/default/services";
  private static final int SECONDS = Integer.getInteger("bench.seconds", 5);
  private static final int ROUND_TRIPS = Integer.getInteger("bench.round-trips", 20000);

  record Row(String mode, String where, double directMiBs, double serviceMiBs, double directP50, double serviceP50,
      double directP99, double serviceP99) {}

  @Test
  void podToServiceToPodAgainstPodToPod() throws Exception {
    Path rootfs = svcnetRootfs();
    String image = "steuermann/svcnet:bench";
    List<Row> rows = new ArrayList<>();
    for (String mode : List.of("iptables", "userspace")) {
      System.setProperty(Machines.PROXY_MODE_PROPERTY, mode);
      try (PostgresDatabase db = PostgresDatabase.createFresh(); Machines rig = Machines.start(2)) {
        Machine a = rig.machine("a");
        Machine b = rig.machine("b");
        rig.importImage(image, rootfs);
        ApiClient api = Members.start(rig, db).api();
        for (Machine m : List.of(a, b)) {
          String name = "server-" + m.name();
          assertEquals(201, api.create(SERVICES, json("""
              {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s"},"spec":{"selector":{"app":"%s"},
               "ports":[{"name":"bulk","port":5001},{"name":"rr","port":5002}]}}""".formatted(name, name))).status());
          assertEquals(201, api.create(ApiClient.PODS, json("""
              {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":{"app":"%s"}},
               "spec":{"nodeName":"%s","containers":[
                 {"name":"sink","image":"%s","command":["/bin/svcnet","sink","5001"],"ports":[{"containerPort":5001}]},
                 {"name":"echo","image":"%s","command":["/bin/svcnet","echo","5002"],"ports":[{"containerPort":5002}]}]}}
              """.formatted(name, name, Machines.nodeName(m), image, image))).status());
        }
        assertEquals(201, api.create(ApiClient.PODS, json("""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"client"},
             "spec":{"nodeName":"%s","containers":[{"name":"app","image":"%s","command":["sleep","3600"]}]}}
            """.formatted(Machines.nodeName(a), image))).status());
        for (String pod : List.of("server-a", "server-b", "client")) {
          CrossMachinePodNetworkTest.awaitRunning(api, pod);
        }
        for (Machine m : List.of(a, b)) {
          String name = "server-" + m.name();
          String podIp = api.get(ApiClient.PODS + "/" + name).body().path("status").path("podIP").asText();
          String clusterIp = api.get(SERVICES + "/" + name).body().path("spec").path("clusterIP").asText();
          org.awaitility.Awaitility.await(name + " answers through its Service").atMost(Duration.ofSeconds(60))
              .until(() -> exec(a, "svcnet", "rr", clusterIp, "5002", "10").ok());
          // warm-up of both paths, then three rounds alternating direct and Service: the median
          exec(a, "svcnet", "bulk", podIp, "5001", "1").check();
          exec(a, "svcnet", "bulk", clusterIp, "5001", "1").check();
          exec(a, "svcnet", "rr", podIp, "5002", "2000").check();
          exec(a, "svcnet", "rr", clusterIp, "5002", "2000").check();
          double[][] bulk = new double[2][3];
          double[][] p50 = new double[2][3];
          double[][] p99 = new double[2][3];
          for (int round = 0; round < 3; round++) {
            String[] targets = {podIp, clusterIp};
            for (int t = 0; t < 2; t++) {
              bulk[t][round] = Double.parseDouble(exec(a, "svcnet", "bulk", targets[t], "5001", "" + SECONDS)
                  .check().out().strip());
              String[] rr = exec(a, "svcnet", "rr", targets[t], "5002", "" + ROUND_TRIPS).check().out().strip()
                  .split("\\s+");
              p50[t][round] = Double.parseDouble(rr[0]);
              p99[t][round] = Double.parseDouble(rr[1]);
            }
          }
          rows.add(new Row(mode, m == a ? "same machine" : "across machines", median(bulk[0]), median(bulk[1]),
              median(p50[0]), median(p50[1]), median(p99[0]), median(p99[1])));
        }
      } finally {
        System.clearProperty(Machines.PROXY_MODE_PROPERTY);
      }
    }
    System.out.println();
    System.out.println("bench-pod-network: client pod on machine a; bulk TCP " + SECONDS + " s, " + ROUND_TRIPS
        + " request/responses of 64 bytes on one connection; median of 3 alternating rounds");
    System.out.printf(Locale.ROOT, "%-10s %-16s %12s %12s %7s %10s %10s %9s %10s %10s%n", "proxy", "where",
        "direct MiB/s", "svc MiB/s", "ratio", "direct p50", "svc p50", "added p50", "direct p99", "svc p99");
    for (Row r : rows) {
      System.out.printf(Locale.ROOT, "%-10s %-16s %12.0f %12.0f %6.0f%% %8.0fus %8.0fus %7.0fus %8.0fus %8.0fus%n",
          r.mode(), r.where(), r.directMiBs(), r.serviceMiBs(), 100 * r.serviceMiBs() / r.directMiBs(), r.directP50(),
          r.serviceP50(), r.serviceP50() - r.directP50(), r.directP99(), r.serviceP99());
      assertTrue(r.serviceMiBs() > 0 && r.directMiBs() > 0, r.toString());
    }
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    java.util.Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static Shell.Result exec(Machine m, String... command) {
    return CrossMachinePodNetworkTest.exec(m, "client", command);
  }

  /** busybox plus /bin/svcnet, compiled here (static, musl) from node-actor's test resource. */
  private static Path svcnetRootfs() throws IOException {
    Path dir = Path.of("target", "machines-images", "svcnet").toAbsolutePath();
    Shell.run("rm", "-rf", dir.toString());
    Shell.run("cp", "-a", Images.busyboxRootfs().toString(), dir.toString()).check();
    // one source for the kernel path's namespace test (node-actor) and this bench; tests run in
    // their module's directory
    Path source = dir.resolve("svcnet.c");
    Files.copy(Path.of("..", "node-actor", "src", "test", "resources", "network", "svcnet.c"), source);
    Shell.run(List.of("musl-gcc", "-static", "-O2", "-o", dir.resolve("bin/svcnet").toString(), source.toString()),
        null, Duration.ofSeconds(120)).check();
    Files.delete(source);
    return dir;
  }

  private static JsonNode json(String s) throws Exception {
    return ApiClient.JSON.readTree(s);
  }
}
