package io.steuermann.http;

import io.steuermann.engine.api.Stages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.http.metrics.MetricsDocuments;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.PodUsage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.stream.Materializer;

/**
 * {@code metrics.k8s.io/v1beta1}, the metrics API {@code kubectl top} reads, served by every API
 * member as metrics-server serves it behind kube-aggregator: node and pod usage sampled by the
 * runtimes of this member's nodes, together with what the other members that run nodes answer
 * for theirs (asked with the forwarding header, so they answer only their own). A member that
 * does not answer in time is left out, as metrics-server leaves out a node it cannot scrape.
 */
public final class MetricsApi {
  private static final String PREFIX = "/apis/" + MetricsDocuments.API_VERSION + "/";
  private static final Duration REMOTE_TIMEOUT = Duration.ofSeconds(5);

  private final ActorSystem<?> system;
  private final WatchCache cache;
  private final PodLogs.NodeRuntimes nodes;
  private final NodeForwarding forwarding;
  private final Materializer materializer;

  public MetricsApi(ActorSystem<?> system, WatchCache cache, PodLogs.NodeRuntimes nodes, NodeForwarding forwarding,
      Materializer materializer) {
    this.system = system;
    this.cache = cache;
    this.nodes = nodes;
    this.forwarding = forwarding;
    this.materializer = materializer;
  }

  /** Whether {@code path} is a metrics resource (not the group's discovery documents). */
  public static boolean serves(String path) {
    return path.startsWith(PREFIX) && path.length() > PREFIX.length();
  }

  /** What one request asks for: pods or nodes, in a namespace or all, one by name or all. */
  private record Target(boolean pods, String namespace, String name) {}

  public CompletionStage<HttpResponse> handle(HttpRequest request) {
    if (!request.method().equals(HttpMethods.GET)) {
      return done(StatusResponses.response(ApiStatus.methodNotAllowed("the metrics API is read-only")));
    }
    String[] s = request.getUri().path().substring(PREFIX.length()).split("/");
    Target target = switch (s.length) {
      case 1 -> s[0].equals("nodes") ? new Target(false, "", null) : s[0].equals("pods") ? new Target(true, "", null) : null;
      case 2 -> s[0].equals("nodes") ? new Target(false, "", s[1]) : null;
      case 3 -> s[0].equals("namespaces") && s[2].equals("pods") ? new Target(true, s[1], null) : null;
      case 4 -> s[0].equals("namespaces") && s[2].equals("pods") ? new Target(true, s[1], s[3]) : null;
      default -> null;
    };
    if (target == null) {
      return done(StatusResponses.response(new ApiStatus(404, "NotFound",
          "the server could not find the requested resource", null)));
    }
    LabelSelector labels;
    try {
      labels = LabelSelector.parse(request.getUri().query().get("labelSelector").orElse(""));
    } catch (SelectorException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    List<ObjectNode> items = local(target, labels);
    CompletionStage<List<ObjectNode>> all = NodeForwarding.wasForwarded(request)
        ? CompletableFuture.completedFuture(items)
        : remote(request).thenApply(more -> {
          List<ObjectNode> merged = new ArrayList<>(items);
          merged.addAll(more);
          return merged;
        });
    String kind = target.pods() ? "PodMetrics" : "NodeMetrics";
    return all.thenApply(found -> {
      if (target.name() == null) {
        return json(MetricsDocuments.listOf(kind, found));
      }
      return found.stream().filter(i -> Meta.name(i).equals(target.name())).findFirst()
          .map(this::json)
          .orElseGet(() -> StatusResponses.response(new ApiStatus(404, "NotFound",
              (target.pods() ? "podmetrics" : "nodemetrics") + ".metrics.k8s.io \"" + target.name() + "\" not found",
              null)));
    });
  }

  private List<ObjectNode> local(Target target, LabelSelector labels) {
    List<ObjectNode> items = new ArrayList<>();
    for (ObjectNode node : cache.list(WatchFilter.of(Kind.NODE, "")).items()) {
      Optional<ContainerRuntime> runtime = nodes.runtime(Meta.name(node));
      if (runtime.isEmpty()) {
        continue;
      }
      List<PodUsage> usage = runtime.get().usage();
      if (target.pods()) {
        for (PodUsage pod : usage) {
          ObjectNode object = cache.get(ObjectKey.of(Kind.POD, pod.pod().namespace(), pod.pod().name()));
          if (object != null && Meta.uid(object).equals(pod.pod().uid())
              && (target.namespace().isEmpty() || target.namespace().equals(pod.pod().namespace()))
              && labels.matches(Meta.labels(object))) {
            items.add(MetricsDocuments.podMetrics(pod, object));
          }
        }
      } else if (labels.matches(Meta.labels(node))) {
        long cpu = 0;
        long memory = 0;
        Duration window = Duration.ZERO;
        Instant at = Instant.now();
        for (PodUsage pod : usage) {
          for (PodUsage.ContainerUsage c : pod.containers()) {
            cpu += c.cpuNanoCores();
            memory += c.memoryBytes();
          }
          window = pod.window().compareTo(window) > 0 ? pod.window() : window;
          at = pod.timestamp();
        }
        items.add(MetricsDocuments.nodeMetrics(Meta.name(node), at, window, cpu, memory));
      }
    }
    return items;
  }

  /** The items of the same request from every other member that runs nodes. */
  private CompletionStage<List<ObjectNode>> remote(HttpRequest request) {
    Set<String> apis = new LinkedHashSet<>();
    for (ObjectNode node : cache.list(WatchFilter.of(Kind.NODE, "")).items()) {
      if (nodes.runtime(Meta.name(node)).isEmpty()) {
        forwarding.apiOf(Meta.name(node)).ifPresent(apis::add);
      }
    }
    List<CompletableFuture<List<ObjectNode>>> answers = new ArrayList<>();
    for (String api : apis) {
      answers.add(fetch(api, request).toCompletableFuture());
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenApply(v -> {
      List<ObjectNode> items = new ArrayList<>();
      answers.forEach(a -> items.addAll(a.join()));
      return items;
    });
  }

  private CompletionStage<List<ObjectNode>> fetch(String api, HttpRequest request) {
    String uri = api + request.getUri().path() + request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
    // a single object is asked for as the whole list: the other member may not have it
    String list = uri.replaceFirst("/(nodes|pods)/[^/?]+", "/$1");
    return Stages.on(system.executionContext(), Http.get(system).singleRequest(HttpRequest.GET(list)
            .addHeader(RawHeader.create(NodeForwarding.FORWARDED, "1"))))
        .thenCompose(r -> Stages.on(system.executionContext(), r.entity().toStrict(REMOTE_TIMEOUT.toMillis(),
            materializer)))
        .thenApply(strict -> {
          List<ObjectNode> items = new ArrayList<>();
          try {
            JsonNode doc = Json.parse(strict.getData().toArray());
            doc.path("items").forEach(i -> {
              if (i instanceof ObjectNode o) {
                items.add(o);
              }
            });
          } catch (java.io.IOException e) {
            // not a list: nothing from that member
          }
          return items;
        })
        .toCompletableFuture()
        .completeOnTimeout(List.of(), REMOTE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
        .exceptionally(e -> List.of());
  }

  private HttpResponse json(ObjectNode body) {
    return HttpResponse.create().withEntity(org.apache.pekko.http.javadsl.model.HttpEntities.create(
        org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, Json.bytes(body)));
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
