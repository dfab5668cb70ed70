package io.steuermann.engine.services;

import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.services.ClaimEntity.Holder;
import io.steuermann.engine.services.ClaimEntity.Result;
import java.time.Duration;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.junit.jupiter.api.Test;

/**
 * A claim whose Service was never written (its process died between claim and write) is an
 * orphan: refused while younger than {@code orphan-grace}, taken over after.
 */
class ServiceOrphanClaimTest {

  @Test
  void anOrphanedClaimIsTakenOverAfterTheGracePeriod() throws Exception {
    try (TestEngine engine = new TestEngine("steuermann.controllers.enabled = false\n"
        + "steuermann.services.orphan-grace = 2s\n")) {
      Result claimed = ClusterSharding.get(engine.system).entityRefFor(ClaimEntity.TYPE, "port-31234")
          .<Result>ask(r -> new ClaimEntity.Claim(
              new Holder("uid-of-a-service-never-written", "default", "ghost", System.currentTimeMillis()), null, r),
              Duration.ofSeconds(10))
          .toCompletableFuture().get();
      assertTrue(claimed.granted());

      String manifest = ServiceAllocationTest.service("heir", "{\"type\":\"NodePort\",\"ports\":[{\"port\":80,\"nodePort\":31234}]}");
      ObjectCommand.Reply early = engine.engine.store().create(json(manifest)).toCompletableFuture().join();
      assertEquals(422, assertInstanceOf(ObjectCommand.Refused.class, early).status().code(), early::toString);

      // a refused create changes nothing, so asking again until the grace has passed is harmless
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
          engine.engine.store().create(json(manifest)).toCompletableFuture().join() instanceof ObjectCommand.Done);
      Result holder = ClusterSharding.get(engine.system).entityRefFor(ClaimEntity.TYPE, "port-31234")
          .<Result>ask(ClaimEntity.Inspect::new, Duration.ofSeconds(10)).toCompletableFuture().get();
      assertEquals("heir", holder.holder().name());
    }
  }
}
