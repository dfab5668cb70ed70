package io.steuermann.http.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every served kind, its list, and the Scale and Status views: JSON -> protobuf -> JSON unchanged. */
class RoundTripTest {
  private final KubernetesProtobuf codec = new KubernetesProtobuf();

  /** Kinds client-java-proto 25.0.0 has no messages for (discovery.k8s.io): served as JSON only. */
  static final String JSON_ONLY = "ENDPOINT_SLICE";

  @org.junit.jupiter.api.Test
  void aJsonOnlyKindHasNoProtobufEncoding() {
    ObjectNode slice = Json.object();
    slice.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice").putObject("metadata").put("name", "s");
    assertTrue(codec.encode(slice).isEmpty());
  }

  static ObjectNode fixture(String name) {
    try (InputStream in = RoundTripTest.class.getResourceAsStream("/protobuf/" + name)) {
      if (in == null) {
        throw new IllegalStateException("no fixture /protobuf/" + name);
      }
      return (ObjectNode) Json.parse(in.readAllBytes());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private ObjectNode roundTrip(ObjectNode json) {
    KubernetesProtobuf.Encoded encoded = codec.encode(json).orElseThrow(
        () -> new AssertionError("no message type for " + json.path("apiVersion") + " " + json.path("kind")));
    assertEquals(List.of(), encoded.dropped(), "JSON fields the proto has no place for");
    KubernetesProtobuf.Decoded decoded = codec.decode(encoded.bytes());
    assertEquals(List.of(), decoded.dropped());
    return decoded.json();
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE, names = JSON_ONLY)
  void everyServedKindRoundTrips(Kind kind) {
    ObjectNode original = fixture(kind.kindName() + ".json");
    assertEquals(kind.apiVersion(), original.path("apiVersion").asText());
    assertSame(original, roundTrip(original.deepCopy()));
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE, names = JSON_ONLY)
  void everyServedListRoundTrips(Kind kind) {
    ObjectNode item = fixture(kind.kindName() + ".json");
    // typed list items carry no apiVersion/kind in protobuf (nor in kube-apiserver's JSON)
    item.remove(List.of("apiVersion", "kind"));
    ObjectNode list = Json.object();
    list.put("apiVersion", kind.apiVersion());
    list.put("kind", kind.kindName() + "List");
    list.putObject("metadata").put("resourceVersion", "1234").put("continue", "abc").put("remainingItemCount", 0);
    list.putArray("items").add(item).add(item.deepCopy());
    assertSame(list, roundTrip(list.deepCopy()));
  }

  static Stream<String> views() {
    return Stream.of("Scale.json", "Status.json");
  }

  @ParameterizedTest
  @MethodSource("views")
  void scaleAndStatusRoundTrip(String fixture) {
    ObjectNode original = fixture(fixture);
    assertSame(original, roundTrip(original.deepCopy()));
  }

  /** Equal trees, or a failure naming the paths that differ. */
  static void assertSame(JsonNode expected, JsonNode actual) {
    List<String> differences = new java.util.ArrayList<>();
    diff("", expected, actual, differences);
    assertEquals(List.of(), differences, "paths that differ");
    assertEquals(expected, actual);
  }

  private static void diff(String path, JsonNode a, JsonNode b, List<String> out) {
    if (a.isObject() && b.isObject()) {
      java.util.Set<String> names = new java.util.TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String n : names) {
        if (!a.has(n) || !b.has(n)) {
          out.add(path + "." + n + (a.has(n) ? " missing" : " added: " + b.get(n)));
        } else {
          diff(path + "." + n, a.get(n), b.get(n), out);
        }
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      for (int i = 0; i < a.size(); i++) {
        diff(path + "[" + i + "]", a.get(i), b.get(i), out);
      }
    } else if (!a.equals(b)) {
      out.add(path + ": " + a + " (" + a.getNodeType() + ") became " + b + " (" + b.getNodeType() + ")");
    }
  }

  @ParameterizedTest
  @EnumSource(value = Kind.class, mode = EnumSource.Mode.EXCLUDE, names = JSON_ONLY)
  void theEnvelopeNamesTheKind(Kind kind) {
    byte[] bytes = codec.encode(fixture(kind.kindName() + ".json")).orElseThrow().bytes();
    Envelope envelope = Envelope.parse(bytes);
    assertEquals(kind.apiVersion(), envelope.apiVersion());
    assertEquals(kind.kindName(), envelope.kind());
    JsonNode decoded = codec.decode(bytes).json();
    assertTrue(decoded.has("metadata"));
  }
}
