package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.steuermann.engine.model.Json;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watches over WebSocket, as kube-apiserver serves them: the wire protocol with the JDK's own
 * WebSocket client, and the fabric8 client's watches and informers, unchanged, on top.
 */
class WebSocketWatchTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  static Path dataDir;
  static TestServer server;

  @BeforeAll
  static void start() {
    // a short history, so that a watch from an old resourceVersion is refused
    server = TestServer.start("WebSocketWatchTest", TestServer.h2(dataDir)
        .withFallback(ConfigFactory.parseString("steuermann.watch-cache.capacity = 50")));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  /** Frames as the server sent them, and the close. */
  private static final class Frames implements WebSocket.Listener {
    final List<String> texts = new CopyOnWriteArrayList<>();
    volatile Integer closedWith;
    private final StringBuilder partial = new StringBuilder();

    @Override
    public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        texts.add(partial.toString());
        partial.setLength(0);
      }
      socket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
      closedWith = statusCode;
      return null;
    }

    JsonNode event(int i) {
      try {
        return Json.parse(texts.get(i));
      } catch (java.io.IOException e) {
        throw new AssertionError(texts.get(i), e);
      }
    }
  }

  private static WebSocket connect(String pathAndQuery, Frames frames) throws Exception {
    URI uri = URI.create("ws://127.0.0.1:" + server.base.getPort() + pathAndQuery);
    return server.client.newWebSocketBuilder().buildAsync(uri, frames).get(10, TimeUnit.SECONDS);
  }

  @Test
  void aWatchUpgradedToAWebSocketSendsOneEventPerTextFrame() throws Exception {
    server.namespace("ws-frames");
    String pods = "/api/v1/namespaces/ws-frames/pods";
    server.pod("ws-frames", "before", "{}");
    long from = TestServer.rv(TestServer.expect(200, server.get(pods)));
    Frames frames = new Frames();
    WebSocket socket = connect(pods + "?watch=true&resourceVersion=" + from, frames);
    server.pod("ws-frames", "one", "{\"app\":\"x\"}");
    TestServer.expect(200, server.patch(pods + "/one", "application/merge-patch+json",
        "{\"metadata\":{\"labels\":{\"app\":\"y\"}}}"));
    TestServer.expect(200, server.delete(pods + "/one"));
    await().atMost(WAIT).until(() -> frames.texts.size() >= 3);
    assertEquals(List.of("ADDED one", "MODIFIED one", "DELETED one"),
        List.of(describe(frames.event(0)), describe(frames.event(1)), describe(frames.event(2))));
    assertEquals("y", frames.event(1).path("object").path("metadata").path("labels").path("app").asText());
    assertNull(frames.closedWith, "the watch is still open");
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> server.engine.cache().watcherCount() == 0);
  }

  @Test
  void aWatchThatEndsClosesItsWebSocket() throws Exception {
    server.namespace("ws-timeout");
    Frames frames = new Frames();
    connect("/api/v1/namespaces/ws-timeout/pods?watch=true&timeoutSeconds=1", frames);
    await().atMost(WAIT).until(() -> frames.closedWith != null);
    assertEquals(WebSocket.NORMAL_CLOSURE, frames.closedWith);
  }

  @Test
  void aWebSocketWatchFromATooOldVersionGetsAnErrorEventWith410() throws Exception {
    server.namespace("ws-old");
    long old = TestServer.rv(server.pod("ws-old", "first", "{}"));
    for (int i = 0; i < 60; i++) {
      server.pod("ws-old", "p" + i, "{}");
    }
    Frames frames = new Frames();
    connect("/api/v1/namespaces/ws-old/pods?watch=true&resourceVersion=" + old, frames);
    await().atMost(WAIT).until(() -> frames.closedWith != null);
    assertEquals(1, frames.texts.size(), () -> frames.texts.toString());
    assertEquals("ERROR", frames.event(0).path("type").asText());
    assertEquals(410, frames.event(0).path("object").path("code").asInt());
    assertEquals("Status", frames.event(0).path("object").path("kind").asText());
  }

  private static KubernetesClient fabric8() {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(server.base.toString())
        .withRequestTimeout(10_000)
        .build();
    return new KubernetesClientBuilder().withConfig(config).withHttpClientFactory(new JdkHttpClientFactory()).build();
  }

  private static Pod pod(String name) {
    return new PodBuilder().withNewMetadata().withName(name).addToLabels("app", "f8").endMetadata()
        .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36").endContainer().endSpec()
        .build();
  }

  @Test
  void fabric8WatchesSeeAddsUpdatesAndDeletes() {
    server.namespace("f8-watch");
    List<String> seen = new CopyOnWriteArrayList<>();
    try (KubernetesClient client = fabric8();
        var watch = client.pods().inNamespace("f8-watch").watch(new Watcher<Pod>() {
          @Override
          public void eventReceived(Action action, Pod pod) {
            seen.add(action + " " + pod.getMetadata().getName());
          }

          @Override
          public void onClose(WatcherException cause) {
            seen.add("closed " + cause);
          }
        })) {
      client.pods().inNamespace("f8-watch").resource(pod("a")).create();
      client.pods().inNamespace("f8-watch").withName("a").edit(p -> {
        p.getMetadata().getLabels().put("app", "changed");
        return p;
      });
      client.pods().inNamespace("f8-watch").withName("a").delete();
      await().atMost(WAIT).until(() -> seen.size() >= 3);
      assertEquals(List.of("ADDED a", "MODIFIED a", "DELETED a"), seen.subList(0, 3));
    }
  }

  @Test
  void aFabric8InformerFollowsThePods() {
    server.namespace("f8-informer");
    server.pod("f8-informer", "existing", "{\"app\":\"f8\"}");
    Map<String, String> cached = new ConcurrentHashMap<>();
    try (KubernetesClient client = fabric8()) {
      SharedIndexInformer<Pod> informer = client.pods().inNamespace("f8-informer").inform(
          new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod pod) {
              cached.put(pod.getMetadata().getName(), pod.getMetadata().getLabels().getOrDefault("app", ""));
            }

            @Override
            public void onUpdate(Pod before, Pod pod) {
              cached.put(pod.getMetadata().getName(), pod.getMetadata().getLabels().getOrDefault("app", ""));
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
              cached.remove(pod.getMetadata().getName());
            }
          });
      try {
        await().atMost(WAIT).until(informer::hasSynced);
        await().atMost(WAIT).until(() -> cached.equals(Map.of("existing", "f8")));
        client.pods().inNamespace("f8-informer").resource(pod("added")).create();
        TestServer.expect(200, server.patch("/api/v1/namespaces/f8-informer/pods/existing",
            "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"app\":\"edited\"}}}"));
        await().atMost(WAIT).until(() -> cached.equals(Map.of("existing", "edited", "added", "f8")));
        client.pods().inNamespace("f8-informer").withName("existing").delete();
        await().atMost(WAIT).until(() -> cached.equals(Map.of("added", "f8")));
        assertEquals(List.of("added"), informer.getIndexer().list().stream()
            .map(p -> p.getMetadata().getName()).toList());
      } finally {
        informer.close();
      }
    }
  }

  private static String describe(JsonNode event) {
    return event.path("type").asText() + " " + event.path("object").path("metadata").path("name").asText();
  }
}
