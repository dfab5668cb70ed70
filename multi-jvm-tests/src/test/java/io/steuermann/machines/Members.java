package io.steuermann.machines;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.it.ApiClient;
import io.steuermann.it.PostgresDatabase;
import io.steuermann.it.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The usual cluster on a rig: one control member on the host and one worker member per
 * machine, each worker running its machine's Docker node. {@link #start} returns once every
 * node is Ready (registered, given its pod CIDR by node IPAM, pod network up on its engine).
 * The members are tracked by the rig, which stops them before its engines.
 *
 * @param control the control member (API at {@link Machines#hostAddress()})
 * @param workers the worker of machine i at index i
 */
public record Members(ServerProcess control, List<ServerProcess> workers) {
  public static Members start(Machines rig, PostgresDatabase db) {
    ServerProcess control = rig.track(rig.control("control", db).start());
    List<ServerProcess> workers = new ArrayList<>();
    for (Machine m : rig.machines()) {
      workers.add(rig.track(rig.worker(m, db, control).launch()));
    }
    for (ServerProcess w : workers) {
      w.awaitReadiness();
    }
    ApiClient api = control.api();
    for (Machine m : rig.machines()) {
      await("node of machine " + m.name() + " Ready").atMost(Duration.ofSeconds(150))
          .pollInterval(Duration.ofMillis(250)).ignoreExceptions()
          .until(() -> ready(api.get("/api/v1/nodes/" + Machines.nodeName(m)).body()));
    }
    return new Members(control, List.copyOf(workers));
  }

  /** The control member's API. */
  public ApiClient api() {
    return control.api();
  }

  public ServerProcess worker(Machine m, Machines rig) {
    return workers.get(rig.machines().indexOf(m));
  }

  /** Whether a Node object's Ready condition is True. */
  public static boolean ready(JsonNode node) {
    for (JsonNode c : node.path("status").path("conditions")) {
      if ("Ready".equals(c.path("type").asText())) {
        return "True".equals(c.path("status").asText());
      }
    }
    return false;
  }
}
