package io.steuermann.http.protobuf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubernetes.client.proto.V1;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * Pod encode/decode, JSON against protobuf, side by side: {@code bin/bench-protobuf}. Both
 * sides start and end at the server's JSON tree, so the protobuf figures include the
 * conversion; the bare generated-message figures show what the conversion costs.
 */
public final class CodecBenchmark {
  private CodecBenchmark() {}

  public static void main(String[] args) throws IOException {
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    KubernetesProtobuf codec = new KubernetesProtobuf();
    ObjectNode pod = RoundTripTest.fixture("Pod.json");
    byte[] json = Json.bytes(pod);
    byte[] proto = codec.encode(pod).orElseThrow().bytes();
    V1.Pod message = V1.Pod.parseFrom(Envelope.parse(proto).raw());
    byte[] raw = message.toByteArray();

    System.out.printf("pod: %d bytes JSON, %d bytes protobuf (envelope included)%n", json.length, proto.length);
    System.out.printf("%-44s %12s %12s%n", "operation (" + iterations + " iterations)", "ns/op", "ops/s");
    run("JSON encode (tree -> bytes)", iterations, () -> Json.bytes(pod));
    run("protobuf encode (tree -> k8s envelope)", iterations, () -> codec.encode(pod).orElseThrow().bytes());
    run("JSON decode (bytes -> tree)", iterations, () -> parse(json));
    run("protobuf decode (k8s envelope -> tree)", iterations, () -> codec.decode(proto).json());
    run("bare message serialize (V1.Pod -> bytes)", iterations, message::toByteArray);
    run("bare message parse (bytes -> V1.Pod)", iterations, () -> parsePod(raw));
  }

  private static JsonNode parse(byte[] json) {
    try {
      return Json.parse(json);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static V1.Pod parsePod(byte[] raw) {
    try {
      return V1.Pod.parseFrom(raw);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(String name, int iterations, Supplier<Object> op) {
    Object sink = null;
    for (int i = 0; i < iterations / 2; i++) {
      sink = op.get();
    }
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      sink = op.get();
    }
    long ns = (System.nanoTime() - start) / iterations;
    System.out.printf("%-44s %12d %12d%s%n", name, ns, 1_000_000_000L / Math.max(ns, 1), sink == null ? "!" : "");
  }
}
