package io.steuermann.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Json;
import io.steuermann.node.docker.DockerSupport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code kubectl top} (the real kubectl) against pods that run as real Docker containers: a pod
 * that spins shows the CPU it burns, an idle one shows next to none, and the node shows their sum.
 */
class DockerMetricsTest {
  private static DockerApi api;

  @BeforeAll
  static void start() throws Exception {
    api = DockerApi.start("metrics-docker");
    api.create("""
        apiVersion: v1
        kind: Pod
        metadata: {name: spinner, labels: {app: spin}}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [sh, -c, "while true; do :; done"]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: idler, labels: {app: idle}}
        spec:
          nodeName: %s
          containers:
          - {name: main, image: %s, command: [sleep, "600"]}
        """.formatted(api.node, DockerSupport.IMAGE, api.node, DockerSupport.IMAGE));
    api.awaitRunningReady("spinner");
    api.awaitRunningReady("idler");
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
  }

  /** The millicores in a {@code kubectl top} row for {@code name}, or -1. */
  private static int millicores(String output, String name) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\s+(\\d+)m\\s").matcher(output);
    return m.find() ? Integer.parseInt(m.group(1)) : -1;
  }

  @Test
  void kubectlTopPodShowsWhatEachPodBurns() throws Exception {
    DockerApi.Result[] last = new DockerApi.Result[1];
    await().atMost(DockerApi.WAIT).until(() -> {
      last[0] = api.kubectl("top", "pod");
      return last[0].exit() == 0 && millicores(last[0].output(), "spinner") > 300
          && millicores(last[0].output(), "idler") >= 0;
    });
    assertTrue(millicores(last[0].output(), "idler") < 50, last[0].output());
    DockerApi.Result selected = api.kubectl("top", "pod", "-l", "app=idle");
    assertEquals(0, selected.exit(), selected.output());
    assertTrue(selected.output().contains("idler") && !selected.output().contains("spinner"), selected.output());
    DockerApi.Result containers = api.kubectl("top", "pod", "spinner", "--containers");
    assertEquals(0, containers.exit(), containers.output());
    assertTrue(containers.output().contains("main"), containers.output());
  }

  @Test
  void kubectlTopNodeShowsTheNodesSum() {
    DockerApi.Result[] last = new DockerApi.Result[1];
    await().atMost(DockerApi.WAIT).until(() -> {
      last[0] = api.kubectl("top", "node", api.node);
      return last[0].exit() == 0 && millicores(last[0].output(), api.node) > 300;
    });
    // CPU(%) and MEMORY(%) against the node's allocatable, as kubectl works them out
    assertTrue(last[0].output().matches("(?s).*\\d+%.*\\d+%.*"), last[0].output());
  }

  @Test
  void theMetricsApiAnswersAsMetricsServer() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    await().atMost(DockerApi.WAIT).until(() -> get(client, "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idler")
        .statusCode() == 200);
    JsonNode pod = Json.parse(get(client, "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/idler").body());
    assertEquals("PodMetrics", pod.path("kind").asText());
    assertEquals("metrics.k8s.io/v1beta1", pod.path("apiVersion").asText());
    assertTrue(pod.path("containers").path(0).path("usage").path("cpu").asText().endsWith("n"), pod.toString());
    assertTrue(pod.path("containers").path(0).path("usage").path("memory").asText().endsWith("Ki"), pod.toString());
    HttpResponse<String> missing = get(client, "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/ghost");
    assertEquals(404, missing.statusCode());
    assertTrue(missing.body().contains("podmetrics.metrics.k8s.io \\\"ghost\\\" not found"), missing.body());
    JsonNode groups = Json.parse(get(client, "/apis").body());
    assertTrue(groups.toString().contains("\"metrics.k8s.io/v1beta1\""), groups.toString());
  }

  private static HttpResponse<String> get(HttpClient client, String path) throws Exception {
    return client.send(HttpRequest.newBuilder(URI.create(api.base + path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
