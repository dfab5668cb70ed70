package io.steuermann.engine.controllers.endpoints;

import static io.steuermann.engine.controllers.endpoints.EndpointsControllerTest.namespace;
import static io.steuermann.engine.controllers.endpoints.EndpointsControllerTest.pod;
import static io.steuermann.engine.controllers.endpoints.EndpointsControllerTest.service;
import static io.steuermann.engine.controllers.endpoints.EndpointsControllerTest.status;
import static io.steuermann.engine.controllers.gc.TestEngine.done;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.watch.WatchFilter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The EndpointSlice half of the endpoints controller on a real engine, with the pods of
 * {@link EndpointsControllerTest} (bound to node "ghost", their status written by the test).
 */
class EndpointSliceControllerTest {
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

  /** The slices of the namespace labelled for this Service, by name. */
  static List<ObjectNode> slices(String ns, String service) {
    List<ObjectNode> out = new ArrayList<>();
    for (ObjectNode slice : engine.engine.cache().list(WatchFilter.of(Kind.ENDPOINT_SLICE, ns)).items()) {
      if (service.equals(Meta.labels(slice).get(EndpointSliceBuilder.SERVICE_NAME))) {
        out.add(slice);
      }
    }
    out.sort(java.util.Comparator.comparing(Meta::name));
    return out;
  }

  /** "ip/ready/serving/terminating" of every endpoint of the Service's slices managed by the controller. */
  static List<String> endpoints(String ns, String service) {
    List<String> out = new ArrayList<>();
    for (ObjectNode slice : slices(ns, service)) {
      if (EndpointSliceBuilder.managed(slice)) {
        for (JsonNode e : slice.path("endpoints")) {
          JsonNode c = e.path("conditions");
          out.add(e.path("addresses").path(0).asText() + "/" + c.path("ready").asBoolean() + "/"
              + c.path("serving").asBoolean() + "/" + c.path("terminating").asBoolean());
        }
      }
    }
    out.sort(String::compareTo);
    return out;
  }

  @Test
  void slicesFollowThePodsBesideTheEndpointsAndGoWithTheService() {
    namespace(engine, "es-life");
    ObjectNode svc = service(engine, "es-life", "web", "{\"app\":\"web\"}");
    // a placeholder first: the Service selects nothing yet
    await().atMost(WAIT).until(() -> slices("es-life", "web").size() == 1);
    ObjectNode placeholder = slices("es-life", "web").get(0);
    assertEquals(0, placeholder.path("endpoints").size(), placeholder::toString);
    assertEquals("IPv4", placeholder.path("addressType").asText());
    assertEquals(Meta.uid(svc), placeholder.path("metadata").path("ownerReferences").path(0).path("uid").asText());
    assertEquals("endpointslice-controller.k8s.io",
        Meta.labels(placeholder).get("endpointslice.kubernetes.io/managed-by"));
    assertEquals("a", Meta.labels(placeholder).get("team"));
    // as kube: the generated name is the Service's and five characters
    assertEquals(true, Meta.name(placeholder).matches("web-[bcdfghjklmnpqrstvwxz2456789]{5}"), Meta.name(placeholder));

    // a user's slice for the same Service, managed by someone else
    ObjectNode mine = engine.create("""
        {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-mine","namespace":"es-life",
          "labels":{"kubernetes.io/service-name":"web","endpointslice.kubernetes.io/managed-by":"me"}},
         "addressType":"IPv4","endpoints":[{"addresses":["192.0.2.7"]}],"ports":[{"name":"x","port":1,"protocol":"TCP"}]}""");

    for (int i = 1; i <= 3; i++) {
      pod(engine, "es-life", "web-" + i, "web", "web");
      status(engine, "es-life", "web-" + i, "10.5.0." + i, i != 3);
    }
    await().atMost(WAIT).until(() -> endpoints("es-life", "web").equals(List.of(
        "10.5.0.1/true/true/false", "10.5.0.2/true/true/false", "10.5.0.3/false/false/false")));
    // the placeholder was rewritten in place
    List<ObjectNode> ours = slices("es-life", "web").stream().filter(EndpointSliceBuilder::managed).toList();
    assertEquals(List.of(Meta.name(placeholder)), ours.stream().map(Meta::name).toList());
    JsonNode endpoint = ours.get(0).path("endpoints").path(0);
    assertEquals("ghost", endpoint.path("nodeName").asText());
    assertEquals("web-1", endpoint.path("targetRef").path("name").asText());
    assertEquals(EndpointsControllerTest.tree("""
        [{"name":"http","protocol":"TCP","port":8080},{"name":"metrics","protocol":"TCP","port":9090}]"""),
        ours.get(0).path("ports"));

    // terminating: still there, serving, not ready (the Endpoints drop it at once)
    done(engine.engine.store().delete(ObjectKey.of(Kind.POD, "es-life", "web-2"), "", 0)
        .toCompletableFuture().join());
    await().atMost(WAIT).until(() -> endpoints("es-life", "web").equals(List.of(
        "10.5.0.1/true/true/false", "10.5.0.2/false/true/true", "10.5.0.3/false/false/false")));
    assertEquals(Meta.resourceVersion(mine), Meta.resourceVersion(engine.cached(
        ObjectKey.of(Kind.ENDPOINT_SLICE, "es-life", "web-mine"))), "the user's slice was written");

    assertInstanceOf(ObjectCommand.Done.class, engine.delete(ObjectKey.of(Kind.SERVICE, "es-life", "web"), null));
    await().atMost(WAIT).until(() -> slices("es-life", "web").stream().noneMatch(EndpointSliceBuilder::managed));
    assertEquals(List.of("web-mine"), slices("es-life", "web").stream().map(Meta::name).toList());
  }

  @Test
  void aHundredAndOnePodsAreTwoSlicesAndLosingPodsDeletesTheSurplus() {
    namespace(engine, "es-many");
    service(engine, "es-many", "big", "{\"app\":\"big\"}");
    for (int i = 0; i < 101; i++) {
      pod(engine, "es-many", "big-" + i, "big", "web");
      status(engine, "es-many", "big-" + i, "10.6." + (i / 200) + "." + (i % 200 + 1), true);
    }
    await().atMost(WAIT).until(() -> endpoints("es-many", "big").size() == 101
        && slices("es-many", "big").size() == 2);
    assertEquals(List.of(1, 100), slices("es-many", "big").stream().map(s -> s.path("endpoints").size()).sorted()
        .toList());
    // eleven pods leave the selector
    for (int i = 100; i >= 90; i--) {
      done(engine.engine.store().patch(ObjectKey.of(Kind.POD, "es-many", "big-" + i),
          ObjectCommand.PatchType.MERGE, TestEngine.json("{\"metadata\":{\"labels\":{\"app\":\"gone\"}}}"),
          ObjectCommand.Part.MAIN).toCompletableFuture().join());
    }
    await().atMost(WAIT).until(() -> endpoints("es-many", "big").size() == 90 && slices("es-many", "big").size() == 1);
  }
}
