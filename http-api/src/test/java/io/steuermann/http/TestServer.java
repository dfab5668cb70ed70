package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.steuermann.engine.Engine;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A whole Steuermann server in this JVM, wired as {@code io.steuermann.server.Main} wires it
 * (a cluster of one joining itself, the engine, the API on a free port), with a plain
 * {@link java.net.http.HttpClient} to talk to it.
 */
final class TestServer implements AutoCloseable {
  static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  final ActorSystem<Void> system;
  final Engine engine;
  final URI base;
  final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5))
      .build();

  private TestServer(ActorSystem<Void> system, Engine engine, URI base) {
    this.system = system;
    this.engine = engine;
    this.base = base;
  }

  /**
   * What every server inside a test JVM needs: a free port on loopback, and a shutdown that
   * leaves the JVM alive (the server's application.conf exits it).
   */
  static final Config IN_PROCESS = ConfigFactory.parseString("""
      steuermann.api.port = 0
      steuermann.api.bind-address = "127.0.0.1"
      pekko.coordinated-shutdown.exit-jvm = off
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.loglevel = WARNING
      """);

  /** The store settings for an embedded H2 journal in {@code dataDir}. */
  static Config h2(Path dataDir) {
    return ConfigFactory.parseMap(Map.of(
        "steuermann.store.kind", "h2",
        "steuermann.store.data-dir", dataDir.toAbsolutePath().toString()));
  }

  /** Starts a server with {@code overrides} (the store, at least) over the server's own configuration. */
  static TestServer start(String name, Config overrides) {
    return start(name, overrides, false);
  }

  /**
   * Like {@link #start(String, Config)}, with the node agents of {@code steuermann.node}
   * (hollow nodes, say) in the same process, registered before this returns.
   */
  static TestServer startWithNodes(String name, Config overrides) {
    return start(name, overrides, true);
  }

  /** Like {@link #startWithNodes(String, Config)}, with the clock the controllers read. */
  static TestServer startWithNodes(String name, Config overrides, java.time.Clock controllerClock) {
    return start(name, overrides, true, controllerClock);
  }

  private static TestServer start(String name, Config overrides, boolean withNodes) {
    return start(name, overrides, withNodes, java.time.Clock.systemUTC());
  }

  private static TestServer start(String name, Config overrides, boolean withNodes, java.time.Clock controllerClock) {
    Config testing = ConfigFactory.parseString("""
        # the API and the store alone: no controller writes between a test's own writes
        steuermann.controllers.enabled = false
        """).withFallback(IN_PROCESS);
    ConfigFactory.invalidateCaches();
    Config config = Engine.configure(overrides.withFallback(testing).withFallback(ConfigFactory.load()));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      Engine engine = Engine.start(system, controllerClock);
      io.steuermann.node.NodeAgents nodes = withNodes ? io.steuermann.node.NodeAgents.start(system, engine,
          io.steuermann.node.NodeSettings.fromConfig(config.getConfig("steuermann.node"))) : null;
      ServerBinding binding = (nodes == null ? ApiServer.start(system, engine)
              : ApiServer.start(system, engine, nodes::runtime))
          .toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      if (nodes != null) {
        nodes.whenAllRegistered().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      engine.whenReady().toCompletableFuture().get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      // 127.0.0.1 unless a test binds elsewhere (the dashboard's browser reaches it from a namespace)
      URI base = URI.create("http://" + binding.localAddress().getAddress().getHostAddress() + ":"
          + binding.localAddress().getPort());
      return new TestServer(system, engine, base);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the test server did not start", e);
    }
  }

  @Override
  public void close() {
    system.terminate();
    try {
      // the journal's H2 closes after the system: a @TempDir removed before that gets new files
      engine.whenStopped().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the test server did not stop", e);
    }
  }

  // ---- requests

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30));
  }

  HttpResponse<String> send(HttpRequest request) {
    try {
      return client.send(request, BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  HttpResponse<String> get(String path) {
    return send(request(path).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return send(request(path).header("Content-Type", "application/json")
        .POST(BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> put(String path, String body) {
    return send(request(path).header("Content-Type", "application/json")
        .PUT(BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> patch(String path, String contentType, String body) {
    return send(request(path).header("Content-Type", contentType)
        .method("PATCH", BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> delete(String path) {
    return send(request(path).DELETE().build());
  }

  // ---- shortcuts

  /** Creates a namespace; fails the test unless it is created. */
  void namespace(String name) {
    expect(201, post("/api/v1/namespaces", "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\""
        + name + "\"}}"));
  }

  /** Creates a pod; answers the created object. */
  ObjectNode pod(String namespace, String name, String labelsJson) {
    return (ObjectNode) expect(201, post("/api/v1/namespaces/" + namespace + "/pods", podJson(name, labelsJson)));
  }

  static String podJson(String name, String labelsJson) {
    return """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","labels":%s},
         "spec":{"containers":[{"name":"main","image":"busybox:1.36"}]}}""".formatted(name, labelsJson);
  }

  static JsonNode json(HttpResponse<String> response) {
    try {
      return Json.parse(response.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON (" + response.statusCode() + "): " + response.body(), e);
    }
  }

  static JsonNode expect(int code, HttpResponse<String> response) {
    assertEquals(code, response.statusCode(), () -> response.request().method() + " "
        + response.request().uri() + " answered " + response.statusCode() + ": " + response.body());
    return json(response);
  }

  static long rv(JsonNode object) {
    return Long.parseLong(object.path("metadata").path("resourceVersion").asText());
  }
}
