package io.steuermann.http;

import io.steuermann.engine.Engine;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.http.discovery.Discovery;
import io.steuermann.http.discovery.OpenApiDocuments;
import io.steuermann.http.protobuf.ProtobufResponses;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * The whole HTTP surface as one request handler: health, discovery, the change stream and
 * the resource API. Dispatch is by path segments rather than a routing DSL tree because
 * every kind shares the same handful of path shapes.
 */
public final class ApiRoutes {
  private final Engine engine;
  private final ResourceHandler resources;
  private final PodLogs logs;
  private final PodStreams streams;
  private final PodPortForward portForward;
  private final MetricsApi metrics;
  private final io.steuermann.http.observe.ServerMetrics serverMetrics;
  private final WatchStreams watches;
  private final Responses responses;
  private final ProtobufResponses protobuf;
  private final OpenApiRoutes openApi;
  private final String serverAddress;
  private final HealthChecks health;
  private final io.steuermann.http.ui.UiRoutes ui = new io.steuermann.http.ui.UiRoutes();
  private final OlderVersions olderVersions;

  public ApiRoutes(Engine engine, ResourceHandler resources, PodLogs logs, PodStreams streams,
      PodPortForward portForward, MetricsApi metrics,
      io.steuermann.http.observe.ServerMetrics serverMetrics, WatchStreams watches,
      Responses responses, ProtobufResponses protobuf, OpenApiDocuments openApi, String serverAddress) {
    this.protobuf = protobuf;
    this.openApi = new OpenApiRoutes(openApi);
    this.engine = engine;
    this.resources = resources;
    this.logs = logs;
    this.streams = streams;
    this.portForward = portForward;
    this.metrics = metrics;
    this.serverMetrics = serverMetrics;
    this.watches = watches;
    this.responses = responses;
    this.serverAddress = serverAddress;
    this.health = HealthChecks.of(engine);
    this.olderVersions = new OlderVersions(engine, resources);
  }

  /** Routes the request; the answer is in protobuf when the client prefers it and the kind has one. */
  public CompletionStage<HttpResponse> handle(HttpRequest request) {
    long start = System.nanoTime();
    return route(request).thenApply(response -> protobuf.negotiate(request, response))
        .whenComplete((response, error) -> {
          RequestKind kind = RequestKind.of(request);
          serverMetrics.request(kind.verb(), kind.resource(), response != null ? response.status().intValue() : 500,
              java.time.Duration.ofNanos(System.nanoTime() - start));
        });
  }

  private CompletionStage<HttpResponse> route(HttpRequest request) {
    String path = request.getUri().path();
    switch (path) {
      case "/metrics" -> {
        return done(HttpResponse.create().withEntity(HttpEntities.create(
            org.apache.pekko.http.javadsl.model.ContentTypes.parse("text/plain; version=0.0.4; charset=utf-8"),
            serverMetrics.scrape().getBytes(java.nio.charset.StandardCharsets.UTF_8))));
      }
      case "/debug/scheduler" -> {
        return org.apache.pekko.actor.typed.javadsl.AskPattern.<io.steuermann.engine.controllers.scheduler.Scheduler.Command,
                io.steuermann.engine.controllers.scheduler.Scheduler.Stats>ask(
                engine.singletons().scheduler(),
                io.steuermann.engine.controllers.scheduler.Scheduler.GetStats::new,
                engine.askTimeout(), engine.system().scheduler())
            .thenApply(stats -> responses.json(200, io.steuermann.engine.model.Json.MAPPER.valueToTree(stats)))
            .exceptionally(e -> StatusResponses.response(ApiStatus.timeout("scheduler did not answer: " + e)));
      }
      case "/debug/jvm" -> {
        Runtime rt = Runtime.getRuntime();
        com.fasterxml.jackson.databind.node.ObjectNode jvm = io.steuermann.engine.model.Json.object();
        jvm.put("heapUsedBytes", rt.totalMemory() - rt.freeMemory());
        jvm.put("heapCommittedBytes", rt.totalMemory());
        jvm.put("heapMaxBytes", rt.maxMemory());
        jvm.put("threads", Thread.activeCount());
        return done(responses.json(200, jvm));
      }
      case "/debug/cluster" -> {
        return done(responses.json(200, io.steuermann.engine.cluster.ClusterView.describe(engine.system())));
      }
      case "/changes" -> {
        if (!request.method().equals(HttpMethods.GET)) {
          return done(StatusResponses.response(ApiStatus.methodNotAllowed("GET only")));
        }
        return done(watches.stream(request, null, WatchFilter.everything(), request.getUri().query(), true));
      }
      default -> { }
    }
    Optional<HttpResponse> health = this.health.answer(path, request.getUri().query());
    if (health.isPresent()) {
      return done(health.get());
    }
    Optional<HttpResponse> page = ui.handle(request);
    if (page.isPresent()) {
      return done(page.get());
    }
    Optional<HttpResponse> openApiDocument = openApi.handle(request);
    if (openApiDocument.isPresent()) {
      return done(openApiDocument.get());
    }
    List<String> segments = segments(path);
    if (request.method().equals(HttpMethods.GET)) {
      Optional<com.fasterxml.jackson.databind.node.ObjectNode> doc = Discovery.forPath(path, serverAddress);
      if (doc.isPresent()) {
        return done(responses.json(200, doc.get()));
      }
    }
    if (MetricsApi.serves(path)) {
      return metrics.handle(request);
    }
    Optional<ResourcePath> resource = ResourcePath.parse(segments);
    if (resource.isPresent()) {
      if (!engine.isReady()) {
        return done(StatusResponses.response(ApiStatus.unavailable("the object store is starting")));
      }
      ResourcePath r = resource.get();
      if (!ResourcePath.version(segments).equals(r.kind().version())) {
        return olderVersions.handle(request, r);
      }
      if (r.kind() == io.steuermann.engine.model.Kind.POD && "log".equals(r.subresource()) && !r.watchPrefix()) {
        return logs.handle(request, r);
      }
      if (r.kind() == io.steuermann.engine.model.Kind.POD && !r.watchPrefix()
          && ("exec".equals(r.subresource()) || "attach".equals(r.subresource()))) {
        return streams.handle(request, r);
      }
      if (r.kind() == io.steuermann.engine.model.Kind.POD && !r.watchPrefix() && "portforward".equals(r.subresource())) {
        return portForward.handle(request, r);
      }
      return resources.handle(request, r);
    }
    return done(StatusResponses.response(new ApiStatus(404, "NotFound",
        "the server could not find the requested resource", null)));
  }

  private static List<String> segments(String path) {
    return Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList();
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
