package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.ContainerRuntime.LogOptions;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code GET /api/v1/namespaces/{ns}/pods/{name}/log}: a container's log, streamed as chunked
 * {@code text/plain} from the container runtime of the pod's node, so {@code kubectl logs [-f]}
 * works. Which instance is read, and the refusals, follow Kubernetes' kubelet: the running
 * instance, else the one that last ended; {@code previous} the one before; a container that
 * never ran is "waiting to start".
 *
 * <p>The logs come from the node's runtime, which lives in the process that runs the node: a
 * request for a pod on a node of another member goes on to that member's API
 * ({@link NodeForwarding}).
 */
public final class PodLogs {

  /** The container runtimes of the nodes this process runs. */
  @FunctionalInterface
  public interface NodeRuntimes {
    Optional<ContainerRuntime> runtime(String node);

    NodeRuntimes NONE = node -> Optional.empty();
  }

  /** How long a reply waits for the log's first bytes, to answer a failing read with a Status. */
  private static final Duration FIRST_BYTES = Duration.ofMillis(500);

  private final ObjectStore store;
  private final NodeRuntimes nodes;
  private final NodeForwarding forwarding;
  private final Materializer materializer;
  private final Clock clock;

  public PodLogs(ObjectStore store, NodeRuntimes nodes, NodeForwarding forwarding, Materializer materializer,
      Clock clock) {
    this.store = store;
    this.forwarding = forwarding;
    this.nodes = nodes;
    this.materializer = materializer;
    this.clock = clock;
  }

  public CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    if (!request.method().equals(HttpMethods.GET)) {
      return done(ApiStatus.methodNotAllowed("pods/log supports GET only"));
    }
    PodLogQuery.Parsed parsed = PodLogQuery.parse(request.getUri().query(), path.name());
    if (parsed.refusal() != null) {
      return done(parsed.refusal());
    }
    PodLogQuery query = parsed.query();
    return store.get(ObjectKey.of(Kind.POD, path.namespace(), path.name())).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done found)) {
        return done(((ObjectCommand.Refused) reply).status());
      }
      return stream(request, found.object(), query);
    }).exceptionally(e -> StatusResponses.response(ApiStatus.timeout("reading the pod failed: " + e.getMessage())));
  }

  private CompletionStage<HttpResponse> stream(HttpRequest request, ObjectNode pod, PodLogQuery query) {
    String name = Meta.name(pod);
    PodContainers.Choice choice = PodContainers.choose(pod, query.container());
    if (choice.refusal() != null) {
      return done(choice.refusal());
    }
    String container = choice.container();
    String node = pod.path("spec").path("nodeName").asText("");
    if (node.isEmpty()) {
      return done(ApiStatus.badRequest("container \"" + container + "\" in pod \"" + name
          + "\" is waiting to start: the pod is not scheduled to a node yet"));
    }
    String refusal = instanceRefusal(pod, container, query.previous());
    if (refusal != null) {
      return done(ApiStatus.badRequest(refusal));
    }
    NodePlacement placement = NodePlacement.of(request, node, nodes, forwarding, "pod logs are");
    if (placement instanceof NodePlacement.Elsewhere elsewhere) {
      return forwarding.forward(request, elsewhere.api());
    }
    if (placement instanceof NodePlacement.Unreachable unreachable) {
      return done(unreachable.status());
    }
    ContainerRuntime runtime = ((NodePlacement.Here) placement).runtime();
    LogOptions options = new LogOptions(query.follow(), query.tailLines(), query.timestamps(), query.previous(),
        query.since(clock.instant()));
    Source<ByteString, NotUsed> log;
    try {
      log = runtime.logs(new PodRef(Meta.namespace(pod), name, Meta.uid(pod)), container, options);
    } catch (RuntimeException e) {
      return done(ApiStatus.badRequest(String.valueOf(e.getMessage())));
    }
    if (query.limitBytes().isPresent()) {
      log = limit(log, query.limitBytes().getAsLong());
    }
    return reply(log);
  }

  /**
   * Waits a moment for the first bytes (or the end, or a failure): a read that fails at once
   * is answered with a Status instead of a broken 200; a quiet {@code follow} is not held up.
   */
  private CompletionStage<HttpResponse> reply(Source<ByteString, NotUsed> log) {
    Pair<UniqueKillSwitch, CompletionStage<Pair<List<ByteString>, Source<ByteString, NotUsed>>>> running = log
        .viaMat(KillSwitches.single(), Keep.right())
        .prefixAndTail(1)
        .toMat(Sink.head(), Keep.both())
        .run(materializer);
    UniqueKillSwitch reading = running.first();
    CompletableFuture<Pair<List<ByteString>, Source<ByteString, NotUsed>>> first = running.second().toCompletableFuture();
    return first.handle((pair, error) -> error == null)
        .completeOnTimeout(true, FIRST_BYTES.toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(ok -> {
          if (first.isCompletedExceptionally()) {
            Throwable error = first.handle((p, e) -> e).join();
            Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                ? error.getCause() : error;
            return StatusResponses.response(ApiStatus.badRequest(String.valueOf(cause.getMessage())));
          }
          // a client that goes away ends the read, even before the log's first bytes came
          Source<ByteString, NotUsed> body = Source.completionStage(first)
              .flatMapConcat(p -> Source.from(p.first()).concat(p.second()))
              .watchTermination((mat, done) -> {
                done.whenComplete((d, e) -> reading.shutdown());
                return mat;
              });
          return HttpResponse.create().withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8, body));
        });
  }

  /** At most {@code bytes} bytes, then the end (a following log stops there too). */
  private static Source<ByteString, NotUsed> limit(Source<ByteString, NotUsed> log, long bytes) {
    return log
        .statefulMap(() -> bytes,
            (left, chunk) -> {
              long take = Math.min(left, chunk.size());
              return Pair.create(left - take, Pair.create(chunk.take((int) take), left - take <= 0));
            },
            left -> Optional.empty())
        .takeWhile(p -> !p.second(), true)
        .map(Pair::first)
        .filter(chunk -> !chunk.isEmpty());
  }

  /**
   * Why the instance asked for has no log (as kubelet's {@code validateContainerLogStatus}
   * words it), or null when it has one.
   */
  private static String instanceRefusal(ObjectNode pod, String container, boolean previous) {
    String name = Meta.name(pod);
    JsonNode status = null;
    for (String list : new String[] {"containerStatuses", "initContainerStatuses"}) {
      for (JsonNode s : pod.path("status").path(list)) {
        if (container.equals(s.path("name").asText())) {
          status = s;
        }
      }
    }
    String prefix = "container \"" + container + "\" in pod \"" + name + "\"";
    if (status == null) {
      return prefix + " is waiting to start: ContainerCreating";
    }
    JsonNode state = status.path("state");
    JsonNode last = status.path("lastState").path("terminated");
    if (previous) {
      return last.path("containerID").asText("").isEmpty()
          ? "previous terminated container \"" + container + "\" in pod \"" + name + "\" not found" : null;
    }
    if (state.has("running")) {
      return null;
    }
    if (state.has("terminated")) {
      return state.path("terminated").path("containerID").asText("").isEmpty()
          && last.path("containerID").asText("").isEmpty() ? prefix + " is terminated" : null;
    }
    if (last.isObject()) {
      return last.path("containerID").asText("").isEmpty() ? prefix + " is terminated" : null;
    }
    String reason = state.path("waiting").path("reason").asText("");
    return switch (reason) {
      case "ErrImagePull" -> prefix + " is waiting to start: image can't be pulled";
      case "ImagePullBackOff" -> prefix + " is waiting to start: trying and failing to pull image";
      case "" -> prefix + " is waiting to start - no logs yet";
      default -> prefix + " is waiting to start: " + reason;
    };
  }

  private static CompletionStage<HttpResponse> done(ApiStatus status) {
    return CompletableFuture.completedFuture(StatusResponses.response(status));
  }
}
