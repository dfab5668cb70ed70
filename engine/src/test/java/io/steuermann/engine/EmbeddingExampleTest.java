package io.steuermann.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The README's embedding example, kept compiling and true. */
class EmbeddingExampleTest {
  private ActorSystem<Void> system;

  @Test
  void embeddingApplicationCreatesAndReadsAPod() throws Exception {
    Path dataDir = Files.createTempDirectory("steuermann-embed");
    // --- README example starts here
    Config config = Engine.configure(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "steuermann.store.data-dir = \"" + dataDir + "\"\n")
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "app", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    Engine engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get();

    ObjectNode pod = (ObjectNode) Json.parse("""
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
         "spec": {"containers": [{"name": "web", "image": "busybox"}]}}""");
    ObjectCommand.Reply created = engine.store().create(pod).toCompletableFuture().get();

    // the same entities, addressed with typed messages
    ObjectCommand.Reply read = engine.store()
        .entity(ObjectKey.of(Kind.POD, "default", "web"))
        .ask(ObjectCommand.Get::new, Duration.ofSeconds(5))
        .toCompletableFuture().get();
    // --- README example ends here

    ObjectCommand.Done done = assertInstanceOf(ObjectCommand.Done.class, created);
    ObjectCommand.Done again = assertInstanceOf(ObjectCommand.Done.class, read);
    assertEquals(done.object().path("metadata").path("uid"), again.object().path("metadata").path("uid"));
    // the scheduler may already have noted that no node can take the pod: never older, though
    assertTrue(again.object().path("metadata").path("resourceVersion").asLong()
        >= done.object().path("metadata").path("resourceVersion").asLong());
  }

  @AfterEach
  void stop() {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().join();
    }
  }
}
