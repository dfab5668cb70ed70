package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.http.protobuf.KubernetesProtobuf;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * Creates and lists over HTTP against an in-process server on H2, JSON against protobuf, taking
 * turns ({@code bin/bench-protobuf http}): what kubectl's and client-go's protobuf saves end to
 * end, where the store's write path, not the codec, is most of a create. Pod bodies as kubectl
 * sends them (JSON, or the {@code k8s\0} envelope encoded by the server's own codec).
 */
public final class HttpCodecBenchmark {
  private static final String PROTOBUF = "application/vnd.kubernetes.protobuf";

  private HttpCodecBenchmark() {}

  public static void main(String[] args) throws Exception {
    int pods = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    int concurrency = 32;
    Path dir = Files.createTempDirectory("steuermann-bench-protobuf");
    KubernetesProtobuf codec = new KubernetesProtobuf();
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (TestServer server = TestServer.start("HttpCodecBenchmark", TestServer.h2(dir))) {
      System.out.printf("bench-protobuf http: %d pods per create round, %d rounds, %d concurrent requests, %d cpus%n",
          pods, rounds, concurrency, Runtime.getRuntime().availableProcessors());
      System.out.printf("%-40s %12s %12s%n", "operation", "JSON", "protobuf");
      double[] creates = new double[2];
      double[] lists = new double[2];
      for (int round = 0; round <= rounds; round++) {
        for (int side = 0; side < 2; side++) {
          boolean proto = side == 1;
          String ns = "bench-" + round + "-" + (proto ? "proto" : "json");
          server.namespace(ns);
          double createRate = create(http, server.base, codec, ns, pods, concurrency, proto);
          double listRate = list(http, server.base, ns, 20, proto);
          if (round > 0) { // round 0 warms both up
            creates[side] += createRate / rounds;
            lists[side] += listRate / rounds;
          }
        }
      }
      System.out.printf("%-40s %9.0f /s %9.0f /s  (%.2fx)%n", "create pod", creates[0], creates[1], creates[1] / creates[0]);
      System.out.printf("%-40s %9.1f /s %9.1f /s  (%.2fx)%n", "list " + pods + " pods", lists[0], lists[1],
          lists[1] / lists[0]);
    }
  }

  private static double create(HttpClient http, URI base, KubernetesProtobuf codec, String ns, int pods,
      int concurrency, boolean proto) throws Exception {
    List<byte[]> bodies = new ArrayList<>();
    for (int i = 0; i < pods; i++) {
      ObjectNode pod = (ObjectNode) Json.parse(TestServer.podJson("p" + i, "{\"app\":\"bench\",\"i\":\"" + i + "\"}"));
      bodies.add(proto ? codec.encode(pod).orElseThrow().bytes() : Json.bytes(pod));
    }
    Semaphore permits = new Semaphore(concurrency);
    List<CompletableFuture<HttpResponse<byte[]>>> answers = new ArrayList<>();
    long t0 = System.nanoTime();
    for (byte[] body : bodies) {
      permits.acquire();
      HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/" + ns + "/pods"))
          .header("Content-Type", proto ? PROTOBUF : "application/json")
          .header("Accept", proto ? PROTOBUF + ", application/json" : "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
      answers.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())
          .whenComplete((r, e) -> permits.release()));
    }
    for (CompletableFuture<HttpResponse<byte[]>> answer : answers) {
      int code = answer.get().statusCode();
      if (code != 201) {
        throw new IllegalStateException("create answered " + code + ": " + new String(answer.get().body()));
      }
    }
    return pods / ((System.nanoTime() - t0) / 1e9);
  }

  private static double list(HttpClient http, URI base, String ns, int times, boolean proto) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/api/v1/namespaces/" + ns + "/pods"))
        .header("Accept", proto ? PROTOBUF + ", application/json" : "application/json").GET().build();
    long t0 = System.nanoTime();
    for (int i = 0; i < times; i++) {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200 || (proto && !r.headers().firstValue("Content-Type").orElse("").startsWith(PROTOBUF))) {
        throw new IllegalStateException("list answered " + r.statusCode() + " " + r.headers().map());
      }
    }
    return times / ((System.nanoTime() - t0) / 1e9);
  }
}
