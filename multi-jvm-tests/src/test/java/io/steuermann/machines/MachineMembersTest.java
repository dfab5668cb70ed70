package io.steuermann.machines;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.it.ApiClient;
import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerLogs;
import io.steuermann.it.ServerProcess;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker member inside a simulated machine joins the control member on the host (through
 * the LAN, PostgreSQL through the relay), and its Docker node registers with the machine's
 * address as its InternalIP, gets a pod CIDR from the control plane and becomes Ready once
 * its pod network is up on the machine's own engine.
 */
@ExtendWith(ServerLogs.class)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MachineMembersTest {
  @Test
  void aWorkerInsideAMachineJoinsAndItsDockerNodeRegisters() {
    try (PostgresDatabase db = PostgresDatabase.createFresh(); Machines rig = Machines.start(1)) {
      Machine a = rig.machine("a");
      ServerProcess control = rig.track(rig.control("control", db).start());
      ServerProcess worker = rig.track(rig.worker(a, db, control).start());
      ApiClient api = control.api();

      await("both members Up").atMost(Duration.ofSeconds(90)).ignoreExceptions()
          .until(() -> upMembers(api) == 2 && upMembers(worker.api()) == 2);

      String node = "/api/v1/nodes/" + Machines.nodeName(a);
      await("machine a's node registered and Ready").atMost(Duration.ofSeconds(120))
          .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> Members.ready(api.get(node).body()));
      JsonNode n = api.get(node).body();
      assertEquals(a.address(), internalIp(n), n.toString());
      String podCidr = n.path("spec").path("podCIDR").asText();
      // the pod network is on the machine's engine, not the host's
      assertEquals(podCidr, a.docker("network", "inspect", "--format", "{{(index .IPAM.Config 0).Subnet}}",
          "steuermann_" + Machines.nodeName(a)).check().out().strip());
      // and the service range is local inside the machine (packets to it stay there)
      String local = a.exec("ip", "route", "show", "table", "local", "10.96.0.0/12").check().out();
      assertEquals(true, local.contains("10.96.0.0/12"), local);
    }
  }

  static int upMembers(ApiClient api) {
    int up = 0;
    for (JsonNode m : api.get("/debug/cluster").body().path("members")) {
      if ("Up".equals(m.path("status").asText()) && m.path("reachable").asBoolean()) {
        up++;
      }
    }
    return up;
  }

  static String internalIp(JsonNode node) {
    for (JsonNode address : node.path("status").path("addresses")) {
      if ("InternalIP".equals(address.path("type").asText())) {
        return address.path("address").asText();
      }
    }
    return null;
  }
}
