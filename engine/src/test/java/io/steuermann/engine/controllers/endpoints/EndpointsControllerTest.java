package io.steuermann.engine.controllers.endpoints;

import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static io.steuermann.engine.controllers.gc.TestEngine.json;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The endpoints controller on a real engine. The pods are bound to a node no agent runs
 * ("ghost"), and their status is written by the test as a node would write it, so readiness
 * is under the test's control: Ready, not ready, terminating, without an address.
 */
class EndpointsControllerTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static TestEngine engine;

  @BeforeAll
  static void start() throws Exception {
    engine = new TestEngine("");
  }

  @AfterAll
  static void stop() {
    if (engine != null) {
      engine.close();
    }
  }

  static void namespace(TestEngine engine, String name) {
    engine.create("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + name + "\"}}");
  }

  static ObjectNode service(TestEngine engine, String ns, String name, String selector) {
    return engine.create("""
        {"apiVersion":"v1","kind":"Service","metadata":{"name":"%s","namespace":"%s","labels":{"team":"a"}},
         "spec":{%s"ports":[{"name":"http","port":80,"targetPort":"web"},
                            {"name":"metrics","port":9090,"protocol":"TCP"}]}}"""
        .formatted(name, ns, selector == null ? "" : "\"selector\":" + selector + ","));
  }

  /** A pod on node "ghost" with a container port named {@code portName} (8080). */
  static ObjectNode pod(TestEngine engine, String ns, String name, String app, String portName) {
    return engine.create("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"%s","labels":{"app":"%s"}},
         "spec":{"nodeName":"ghost","containers":[{"name":"c","image":"busybox",
           "ports":[{"name":"%s","containerPort":8080}]}]}}""".formatted(name, ns, app, portName));
  }

  /** Writes the pod's status as its node would: Running with this IP (none: empty) and readiness. */
  static void status(TestEngine engine, String ns, String name, String ip, boolean ready) {
    String conditions = "[{\"type\":\"Ready\",\"status\":\"" + (ready ? "True" : "False") + "\"}]";
    done(engine.engine.store().patch(ObjectKey.of(Kind.POD, ns, name), PatchType.MERGE,
        json("{\"status\":{\"phase\":\"Running\"" + (ip.isEmpty() ? "" : ",\"podIP\":\"" + ip + "\"")
            + ",\"conditions\":" + conditions + "}}"), Part.STATUS).toCompletableFuture().join());
  }

  static JsonNode tree(String text) {
    try {
      return io.steuermann.engine.model.Json.parse(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static ObjectNode endpoints(TestEngine engine, String ns, String name) {
    return engine.cached(ObjectKey.of(Kind.ENDPOINTS, ns, name));
  }

  /** "ip/podName" of each address in a list of all subsets. */
  static List<String> addresses(JsonNode endpoints, String list) {
    List<String> out = new ArrayList<>();
    if (endpoints != null) {
      for (JsonNode subset : endpoints.path("subsets")) {
        for (JsonNode a : subset.path(list)) {
          out.add(a.path("ip").asText() + "/" + a.path("targetRef").path("name").asText());
        }
      }
    }
    return out;
  }

  @Test
  void readyPodsAreAddressesUnreadyOnesNotReadyAddressesAndTerminatingOnesLeaveAtOnce() {
    namespace(engine, "ep-ready");
    service(engine, "ep-ready", "web", "{\"app\":\"web\"}");
    for (int i = 1; i <= 3; i++) {
      pod(engine, "ep-ready", "web-" + i, "web", "web");
      status(engine, "ep-ready", "web-" + i, "10.1.0." + i, i != 3);
    }
    pod(engine, "ep-ready", "no-ip", "web", "web");
    status(engine, "ep-ready", "no-ip", "", true);
    pod(engine, "ep-ready", "other", "db", "web");
    status(engine, "ep-ready", "other", "10.1.0.9", true);

    await().atMost(WAIT).until(() -> addresses(endpoints(engine, "ep-ready", "web"), "addresses")
        .equals(List.of("10.1.0.1/web-1", "10.1.0.2/web-2")));
    ObjectNode ep = endpoints(engine, "ep-ready", "web");
    assertEquals(List.of("10.1.0.3/web-3"), addresses(ep, "notReadyAddresses"));
    JsonNode subset = ep.path("subsets").get(0);
    assertEquals(1, ep.path("subsets").size(), ep::toString);
    assertEquals(tree("""
        [{"name":"http","port":8080,"protocol":"TCP"},{"name":"metrics","port":9090,"protocol":"TCP"}]"""),
        subset.path("ports"));
    JsonNode address = subset.path("addresses").get(0);
    assertEquals("ghost", address.path("nodeName").asText());
    assertEquals("Pod", address.path("targetRef").path("kind").asText());
    assertEquals("ep-ready", address.path("targetRef").path("namespace").asText());
    assertEquals(Meta.uid(engine.cached(ObjectKey.of(Kind.POD, "ep-ready", "web-1"))),
        address.path("targetRef").path("uid").asText());
    assertEquals("a", ep.path("metadata").path("labels").path("team").asText());
    assertEquals("endpoint-controller",
        ep.path("metadata").path("labels").path("endpoints.kubernetes.io/managed-by").asText());

    // readiness lost: out of the addresses
    status(engine, "ep-ready", "web-1", "10.1.0.1", false);
    await().atMost(WAIT).until(() -> addresses(endpoints(engine, "ep-ready", "web"), "addresses")
        .equals(List.of("10.1.0.2/web-2")));
    assertEquals(List.of("10.1.0.1/web-1", "10.1.0.3/web-3"),
        addresses(endpoints(engine, "ep-ready", "web"), "notReadyAddresses"));

    // a pod on a node is deleted gracefully: it stays (nobody stops it here) but is terminating
    done(engine.engine.store().delete(ObjectKey.of(Kind.POD, "ep-ready", "web-2"), "", 0)
        .toCompletableFuture().join());
    assertNotNull(engine.engine.store().get(ObjectKey.of(Kind.POD, "ep-ready", "web-2")).toCompletableFuture().join());
    await().atMost(WAIT).until(() -> addresses(endpoints(engine, "ep-ready", "web"), "addresses").isEmpty());
    assertEquals(List.of("10.1.0.1/web-1", "10.1.0.3/web-3"),
        addresses(endpoints(engine, "ep-ready", "web"), "notReadyAddresses"));

    // ready again
    status(engine, "ep-ready", "web-3", "10.1.0.3", true);
    await().atMost(WAIT).until(() -> addresses(endpoints(engine, "ep-ready", "web"), "addresses")
        .equals(List.of("10.1.0.3/web-3")));
  }

  @Test
  void aNamedTargetPortIsResolvedPerPodAndPodsWithoutItGetASubsetOfTheirOwn() {
    namespace(engine, "ep-named");
    service(engine, "ep-named", "api", "{\"app\":\"api\"}");
    pod(engine, "ep-named", "new", "api", "web");
    status(engine, "ep-named", "new", "10.2.0.1", true);
    pod(engine, "ep-named", "old", "api", "www");
    status(engine, "ep-named", "old", "10.2.0.2", true);

    await().atMost(WAIT).until(() -> endpoints(engine, "ep-named", "api") != null
        && endpoints(engine, "ep-named", "api").path("subsets").size() == 2);
    JsonNode subsets = endpoints(engine, "ep-named", "api").path("subsets");
    // ordered by their ports; the pod without a "web" port serves only metrics
    assertEquals(tree("""
        [{"addresses":[{"ip":"10.2.0.1","nodeName":"ghost","targetRef":{"kind":"Pod","namespace":"ep-named","name":"new",
            "uid":"%s"}}],
          "ports":[{"name":"http","port":8080,"protocol":"TCP"},{"name":"metrics","port":9090,"protocol":"TCP"}]},
         {"addresses":[{"ip":"10.2.0.2","nodeName":"ghost","targetRef":{"kind":"Pod","namespace":"ep-named","name":"old",
            "uid":"%s"}}],
          "ports":[{"name":"metrics","port":9090,"protocol":"TCP"}]}]""".formatted(
            Meta.uid(engine.cached(ObjectKey.of(Kind.POD, "ep-named", "new"))),
            Meta.uid(engine.cached(ObjectKey.of(Kind.POD, "ep-named", "old"))))),
        subsets);
  }

  @Test
  void endpointsAreWrittenOnlyWhenChangedLeftAloneWithoutSelectorAndDeletedWithTheService() {
    namespace(engine, "ep-life");
    service(engine, "ep-life", "manual", null);
    ObjectNode manual = engine.create("""
        {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"manual","namespace":"ep-life"},
         "subsets":[{"addresses":[{"ip":"192.0.2.1"}],"ports":[{"name":"http","port":80}]}]}""");
    service(engine, "ep-life", "auto", "{\"app\":\"auto\"}");
    pod(engine, "ep-life", "auto-1", "auto", "web");
    status(engine, "ep-life", "auto-1", "10.3.0.1", true);
    await().atMost(WAIT).until(() -> addresses(endpoints(engine, "ep-life", "auto"), "addresses")
        .equals(List.of("10.3.0.1/auto-1")));
    String written = Meta.resourceVersion(endpoints(engine, "ep-life", "auto"));

    // a change that does not touch the endpoints, then one that does (in another Service):
    // once the second shows, the first has been seen, and the Endpoints were not rewritten
    done(engine.engine.store().patch(ObjectKey.of(Kind.POD, "ep-life", "auto-1"), PatchType.MERGE,
        json("{\"metadata\":{\"annotations\":{\"touched\":\"yes\"}}}"), Part.MAIN).toCompletableFuture().join());
    service(engine, "ep-life", "marker", "{\"app\":\"auto\"}");
    await().atMost(WAIT).until(() -> endpoints(engine, "ep-life", "marker") != null);
    assertEquals(written, Meta.resourceVersion(endpoints(engine, "ep-life", "auto")));
    assertEquals(Meta.resourceVersion(manual), Meta.resourceVersion(endpoints(engine, "ep-life", "manual")),
        "the Endpoints of a Service without selector were changed");

    assertInstanceOf(ObjectCommand.Done.class, engine.delete(ObjectKey.of(Kind.SERVICE, "ep-life", "auto"), null));
    assertInstanceOf(ObjectCommand.Done.class, engine.delete(ObjectKey.of(Kind.SERVICE, "ep-life", "manual"), null));
    await().atMost(WAIT).until(() -> endpoints(engine, "ep-life", "auto") == null
        && endpoints(engine, "ep-life", "manual") == null);
    assertNotNull(endpoints(engine, "ep-life", "marker"));
  }

  @Test
  void afterARestartEndpointsAreBroughtUpToDateAndLeftoversRemoved() throws Exception {
    Path dir = Files.createTempDirectory("steuermann-endpoints");
    try (TestEngine off = new TestEngine(dir, "steuermann.controllers.enabled = false\n")) {
      namespace(off, "ep-restart");
      service(off, "ep-restart", "web", "{\"app\":\"web\"}");
      pod(off, "ep-restart", "web-1", "web", "web");
      status(off, "ep-restart", "web-1", "10.4.0.1", true);
      // left over from a Service deleted while no controller ran
      off.create("""
          {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"gone","namespace":"ep-restart",
           "labels":{"endpoints.kubernetes.io/managed-by":"endpoint-controller"}}}""");
    }
    try (TestEngine on = new TestEngine(dir, "")) {
      await().atMost(WAIT).until(() -> addresses(endpoints(on, "ep-restart", "web"), "addresses")
          .equals(List.of("10.4.0.1/web-1")));
      await().atMost(WAIT).until(() -> endpoints(on, "ep-restart", "gone") == null);
    }
  }
}
