package io.steuermann.engine.controllers.gc;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/** A real engine on H2 in a temporary directory, for controller tests. */
public final class TestEngine implements AutoCloseable {
  public final ActorSystem<Void> system;
  public final Engine engine;

  public TestEngine(String extraConfig) throws Exception {
    this(Files.createTempDirectory("steuermann-controllers"), extraConfig);
  }

  /** An engine on the H2 store in {@code dataDir}: a second one on the same directory is a restart. */
  public TestEngine(Path dataDir, String extraConfig) throws Exception {
    Config config = Engine.configure(ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "steuermann.store.data-dir = \"" + dataDir + "\"\n"
                + extraConfig)
        .withFallback(ConfigFactory.load()));
    system = ActorSystem.create(Behaviors.empty(), "controllers", config);
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    engine = Engine.start(system);
    engine.whenReady().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  public static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Creates an object and answers it as stored (with uid and resourceVersion). */
  public ObjectNode create(ObjectNode object) {
    return done(engine.store().create(object).toCompletableFuture().join());
  }

  public ObjectNode create(String object) {
    return create(json(object));
  }

  /** The object as the local cache holds it now, or null. */
  public ObjectNode cached(ObjectKey key) {
    return engine.cache().get(key);
  }

  public ObjectCommand.Reply delete(ObjectKey key, String propagationPolicy) {
    return engine.store().delete(key, "", 0, null, propagationPolicy).toCompletableFuture().join();
  }

  public static ObjectNode done(ObjectCommand.Reply reply) {
    return assertInstanceOf(ObjectCommand.Done.class, reply, () -> String.valueOf(reply)).object();
  }

  public static String uid(JsonNode object) {
    return object.path("metadata").path("uid").asText();
  }

  @Override
  public void close() {
    system.terminate();
    // H2 writes its file until the journal database is closed after the system
    engine.whenStopped().toCompletableFuture().join();
  }
}
