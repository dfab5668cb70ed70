package io.steuermann.http.protobuf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The codec's edges: real kubectl bodies, Go's zero values, unknown fields, bad envelopes. */
class ProtobufCodecTest {
  private final KubernetesProtobuf codec = new KubernetesProtobuf();

  private static byte[] resource(String name) {
    try (InputStream in = ProtobufCodecTest.class.getResourceAsStream("/protobuf/" + name)) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode json(String text) {
    try {
      return Json.parse(text);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void kubectlCreateDeploymentDecodesAsItsJsonWould() {
    // captured from `kubectl create deployment d --image=busybox --replicas=0` (kubectl 1.32):
    // Go writes every non-pointer field, so uid "", generation 0, hostNetwork false... arrive
    KubernetesProtobuf.Decoded decoded = codec.decode(resource("kubectl-create-deployment.bin"));
    assertEquals(json("""
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"d","namespace":"default","labels":{"app":"d"}},
         "spec":{"replicas":0,"selector":{"matchLabels":{"app":"d"}},
           "template":{"metadata":{"labels":{"app":"d"}},
             "spec":{"containers":[{"name":"busybox","image":"busybox","resources":{}}]}},
           "strategy":{}},
         "status":{}}"""), decoded.json());
    assertEquals(List.of(), decoded.dropped());
  }

  @Test
  void kubectlCreateServiceKeepsTheIntTargetPortAndDropsTheZeroNodePort() {
    JsonNode service = codec.decode(resource("kubectl-create-service.bin")).json();
    JsonNode port = service.path("spec").path("ports").get(0);
    assertEquals(json("{\"name\":\"80-8080\",\"protocol\":\"TCP\",\"port\":80,\"targetPort\":8080}"), port);
    assertEquals("ClusterIP", service.path("spec").path("type").asText());
  }

  @Test
  void zerosOfGoPointersSurviveZerosOfPlainFieldsDoNot() {
    ObjectNode pod = (ObjectNode) json("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","generation":0,"uid":""},
         "spec":{"terminationGracePeriodSeconds":0,"hostNetwork":false,"nodeName":"",
           "containers":[{"name":"c","image":"i","ports":[{"containerPort":0,"hostPort":0}]}]}}""");
    JsonNode back = codec.decode(codec.encode(pod).orElseThrow().bytes()).json();
    assertEquals(json("""
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},
         "spec":{"terminationGracePeriodSeconds":0,
           "containers":[{"name":"c","image":"i","ports":[{"containerPort":0}]}]}}"""), back);
  }

  @Test
  void deleteOptionsWithAZeroGracePeriodMeanImmediately() {
    byte[] body = new Envelope("v1", "DeleteOptions",
        Meta.DeleteOptions.newBuilder().setGracePeriodSeconds(0).setPropagationPolicy("Foreground").build()
            .toByteString()).toBytes();
    JsonNode options = codec.decode(body).json();
    assertEquals(0, options.path("gracePeriodSeconds").asInt(-1));
    assertTrue(options.has("gracePeriodSeconds"));
    assertEquals("Foreground", options.path("propagationPolicy").asText());
  }

  @Test
  void protobufFieldsThisGenerationDoesNotKnowAreDroppedAndReported() {
    // a newer client's field number 999 in ObjectMeta: kept by protobuf as unknown, not in JSON
    V1.Namespace ns = V1.Namespace.newBuilder()
        .setMetadata(Meta.ObjectMeta.newBuilder().setName("n")
            .setUnknownFields(UnknownFieldSet.newBuilder()
                .addField(999, UnknownFieldSet.Field.newBuilder().addVarint(7).build()).build()))
        .build();
    KubernetesProtobuf.Decoded decoded = codec.decode(new Envelope("v1", "Namespace", ns.toByteString()).toBytes());
    assertEquals(json("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"}}"), decoded.json());
    assertEquals(List.of("metadata#999"), decoded.dropped());
  }

  @Test
  void jsonFieldsTheProtoHasNoPlaceForAreReportedNotSent() {
    ObjectNode ns = (ObjectNode) json("""
        {"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n","futureField":1},"spec":{},"extra":{"a":1}}""");
    KubernetesProtobuf.Encoded encoded = codec.encode(ns).orElseThrow();
    assertEquals(List.of("metadata.futureField", "extra"), encoded.dropped());
    assertEquals(json("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"n\"},\"spec\":{}}"),
        codec.decode(encoded.bytes()).json());
  }

  @Test
  void specialTypesHaveTheirKubernetesJsonForms() {
    ObjectNode event = (ObjectNode) json("""
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"e","creationTimestamp":"2024-05-01T10:00:00+02:00"},
         "eventTime":"2024-05-01T10:00:00Z","involvedObject":{"kind":"Pod"}}""");
    JsonNode back = codec.decode(codec.encode(event).orElseThrow().bytes()).json();
    // Time is seconds in UTC with Z; MicroTime always six digits
    assertEquals("2024-05-01T08:00:00Z", back.path("metadata").path("creationTimestamp").asText());
    assertEquals("2024-05-01T10:00:00.000000Z", back.path("eventTime").asText());

    ObjectNode deployment = (ObjectNode) json("""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
         "spec":{"strategy":{"rollingUpdate":{"maxSurge":0,"maxUnavailable":"0%"}},
           "template":{"spec":{"containers":[{"name":"c","resources":{"limits":{"cpu":2,"memory":"1Gi"}}}]}}}}""");
    JsonNode d = codec.decode(codec.encode(deployment).orElseThrow().bytes()).json();
    assertEquals(json("{\"maxSurge\":0,\"maxUnavailable\":\"0%\"}"), d.path("spec").path("strategy").path("rollingUpdate"));
    // a bare number for a quantity is its text
    assertEquals(json("{\"cpu\":\"2\",\"memory\":\"1Gi\"}"),
        d.path("spec").path("template").path("spec").path("containers").get(0).path("resources").path("limits"));
  }

  @Test
  void goDurationsReadAndWriteAsGoDoes() {
    assertEquals("1h0m0s", GoDurations.format(3_600_000_000_000L));
    assertEquals("1m30s", GoDurations.format(90_000_000_000L));
    assertEquals("1.5s", GoDurations.format(1_500_000_000L));
    assertEquals("20ms", GoDurations.format(20_000_000L));
    assertEquals("0s", GoDurations.format(0));
    assertEquals(90_000_000_000L, GoDurations.parse("1m30s"));
    assertEquals(1_500_000_000L, GoDurations.parse("1.5s"));
    assertEquals(-2_000_000L, GoDurations.parse("-2ms"));
    assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("5 minutes"));
  }

  @Test
  void aWrongPrefixIsNamed() {
    ConversionException e = assertThrows(ConversionException.class,
        () -> codec.decode("{\"kind\":\"Pod\"}".getBytes()));
    assertTrue(e.getMessage().contains("k8s\\x00"), e.getMessage());
  }

  @Test
  void aTruncatedEnvelopeIsNamed() {
    byte[] whole = codec.encode(RoundTripTest.fixture("Pod.json")).orElseThrow().bytes();
    ConversionException e = assertThrows(ConversionException.class,
        () -> codec.decode(Arrays.copyOf(whole, whole.length - 40)));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aCorruptMessageInsideAWholeEnvelopeIsNamed() {
    byte[] body = new Envelope("v1", "Pod", ByteString.copyFrom(new byte[] {0x0a, 0x7f, 0x01})).toBytes();
    ConversionException e = assertThrows(ConversionException.class, () -> codec.decode(body));
    assertTrue(e.getMessage().contains("Pod"), e.getMessage());
  }

  @Test
  void anUnknownKindIsNamed() {
    byte[] body = new Envelope("v1", "PodTemplate",
        V1.PodTemplate.getDefaultInstance().toByteString()).toBytes();
    ConversionException e = assertThrows(ConversionException.class, () -> codec.decode(body));
    assertTrue(e.getMessage().contains("PodTemplate"), e.getMessage());
    assertFalse(codec.encodes("v1", "PodTemplate"));
  }

  @Test
  void acceptPrefersWhatComesFirstAtTheHighestQuality() {
    assertTrue(AcceptHeader.prefersProtobuf("application/vnd.kubernetes.protobuf, */*"));
    assertTrue(AcceptHeader.prefersProtobuf("application/vnd.kubernetes.protobuf,application/json"));
    assertFalse(AcceptHeader.prefersProtobuf("application/json, application/vnd.kubernetes.protobuf"));
    assertTrue(AcceptHeader.prefersProtobuf("application/json;q=0.5, application/vnd.kubernetes.protobuf"));
    assertFalse(AcceptHeader.prefersProtobuf("application/json;as=Table;v=v1;g=meta.k8s.io,application/json"));
    assertFalse(AcceptHeader.prefersProtobuf(null));
  }
}
