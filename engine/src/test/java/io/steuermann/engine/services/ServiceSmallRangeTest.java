package io.steuermann.engine.services;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Configured ranges, filled up: every value is handed out once, concurrent creates share a
 * nearly full range without duplicates, a full range is refused, and a freed value is found.
 */
class ServiceSmallRangeTest {

  @Test
  void aSmallRangeIsFilledToTheLastValueAndThenRefused() throws Exception {
    try (TestEngine engine = new TestEngine("steuermann.controllers.enabled = false\n"
        + "steuermann.services.node-port-range = \"30000-30009\"\n"
        + "steuermann.services.cluster-ip-range = \"127.64.0.0/28\"\n")) {
      List<CompletableFuture<ObjectCommand.Reply>> creates = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        creates.add(engine.engine.store().create(json(ServiceAllocationTest.service("np-" + i,
            "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}"))).toCompletableFuture());
      }
      Set<Integer> ports = new HashSet<>();
      Set<String> ips = new HashSet<>();
      for (CompletableFuture<ObjectCommand.Reply> c : creates) {
        JsonNode spec = done(c.join()).path("spec");
        ports.add(spec.path("ports").get(0).path("nodePort").asInt());
        ips.add(spec.path("clusterIP").asText());
      }
      assertEquals(10, ports.size());
      assertEquals(10, ips.size());

      ApiStatus noPort = refusal(engine, "np-10", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}");
      assertEquals("failed to allocate a nodePort: range is full", noPort.message());

      // 127.64.0.2 .. 127.64.0.14 but .10 (the cluster DNS's): 12 addresses the allocator picks by itself
      for (int i = 0; i < 2; i++) {
        done(engine.engine.store().create(json(ServiceAllocationTest.service("ip-" + i, "{\"ports\":[{\"port\":80}]}")))
            .toCompletableFuture().join());
      }
      ApiStatus noIp = refusal(engine, "ip-2", "{\"ports\":[{\"port\":80}]}");
      assertEquals("failed to allocate a serviceIP: range is full", noIp.message());

      done(engine.delete(ObjectKey.of(Kind.SERVICE, "default", "np-4"), null));
      done(engine.engine.store().create(json(ServiceAllocationTest.service("np-10",
          "{\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}"))).toCompletableFuture().join());
    }
  }

  private static ApiStatus refusal(TestEngine engine, String name, String spec) {
    ObjectCommand.Reply reply = engine.engine.store().create(json(ServiceAllocationTest.service(name, spec)))
        .toCompletableFuture().join();
    ApiStatus status = assertInstanceOf(ObjectCommand.Refused.class, reply, reply::toString).status();
    assertEquals(500, status.code(), status::toString);
    return status;
  }
}
