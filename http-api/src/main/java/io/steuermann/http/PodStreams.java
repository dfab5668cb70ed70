package io.steuermann.http;

import io.steuermann.engine.api.Stages;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.http.stream.ChannelProtocol;
import io.steuermann.http.stream.StreamQuery;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ProcessStream;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code pods/{name}/exec} and {@code pods/{name}/attach} over WebSocket, as kubectl 1.32 speaks
 * them by default (the channel protocol, {@link ChannelProtocol}): kubectl exec, attach and cp
 * reach a process in the container through the node's runtime. The process's output goes to
 * the client as fast as the client reads it; when it ends, its exit status goes on the error
 * channel and the socket closes. SPDY, which older kubectl versions need, is not spoken.
 *
 * <p>As with logs, the runtime lives in the process that runs the pod's node: a request for a pod
 * on a node of another member is relayed to that member's API ({@link NodeForwarding}).
 */
public final class PodStreams {
  private static final long MESSAGE_TIMEOUT_MILLIS = 10_000;

  private final ObjectStore store;
  private final PodLogs.NodeRuntimes nodes;
  private final NodeForwarding forwarding;
  private final Materializer materializer;
  private final Executor blocking;

  public PodStreams(ObjectStore store, PodLogs.NodeRuntimes nodes, NodeForwarding forwarding,
      Materializer materializer, Executor blocking) {
    this.store = store;
    this.forwarding = forwarding;
    this.nodes = nodes;
    this.materializer = materializer;
    this.blocking = blocking;
  }

  public CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    boolean attach = "attach".equals(path.subresource());
    if (!request.method().equals(HttpMethods.GET) && !request.method().equals(HttpMethods.POST)) {
      return done(ApiStatus.methodNotAllowed("pods/" + path.subresource() + " supports GET and POST only"));
    }
    StreamQuery.Parsed parsed = StreamQuery.parse(request.getUri().query(), attach);
    if (parsed.refusal() != null) {
      return done(parsed.refusal());
    }
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    return store.get(ObjectKey.of(Kind.POD, path.namespace(), path.name())).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done found)) {
        return done(((ObjectCommand.Refused) reply).status());
      }
      return open(request, found.object(), parsed.query(), upgrade, path.subresource());
    }).exceptionally(e -> StatusResponses.response(ApiStatus.timeout("reading the pod failed: " + e.getMessage())));
  }

  /**
   * Checks the pod before the protocol: kubectl falls back to SPDY when its WebSocket is refused,
   * and shows the answer to that second request, so both must say what is wrong with the pod.
   */
  private CompletionStage<HttpResponse> open(HttpRequest request, ObjectNode pod, StreamQuery query,
      Optional<WebSocketUpgrade> upgrade, String subresource) {
    PodContainers.Choice choice = PodContainers.choose(pod, query.container());
    if (choice.refusal() != null) {
      return done(choice.refusal());
    }
    String node = pod.path("spec").path("nodeName").asText("");
    if (node.isEmpty()) {
      return done(ApiStatus.badRequest("pod " + Meta.name(pod) + " does not have a host assigned"));
    }
    NodePlacement placement = NodePlacement.of(request, node, nodes, forwarding, "pods/exec and attach are");
    if (placement instanceof NodePlacement.Unreachable unreachable) {
      return done(unreachable.status());
    }
    if (upgrade.isEmpty()) {
      return done(ApiStatus.badRequest("Upgrade request required: pods/" + subresource
          + " is served over WebSocket (" + ChannelProtocol.V5 + "); SPDY is not supported"));
    }
    Optional<String> protocol = ChannelProtocol.choose(upgrade.get().getRequestedProtocols());
    if (protocol.isEmpty()) {
      return done(ApiStatus.badRequest("unsupported WebSocket subprotocol " + upgrade.get().getRequestedProtocols()
          + ": this server speaks " + ChannelProtocol.V5 + " and " + ChannelProtocol.V4));
    }
    if (placement instanceof NodePlacement.Elsewhere elsewhere) {
      return forwarding.relay(request, upgrade.get(), protocol.get(), elsewhere.api());
    }
    PodRef ref = new PodRef(Meta.namespace(pod), Meta.name(pod), Meta.uid(pod));
    return ((NodePlacement.Here) placement).runtime().openStream(ref, choice.container(), query.request())
        .thenApply(process -> upgrade.get().handleMessagesWith(connect(process, query), protocol.get()))
        .exceptionally(e -> {
          Throwable cause = e instanceof java.util.concurrent.CompletionException && e.getCause() != null
              ? e.getCause() : e;
          return StatusResponses.response(ApiStatus.badRequest(String.valueOf(cause.getMessage())));
        });
  }

  /** The client's messages into the process, the process's output and its end out to the client. */
  private Flow<Message, Message, NotUsed> connect(ProcessStream process, StreamQuery query) {
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, m -> m.isText()
            // the channel protocol is binary: text is read and dropped
            // on the dispatcher first: see Stages (a thread per message otherwise)
            ? Stages.on(materializer.executionContext(), m.asTextMessage().getStreamedText()
                .runWith(Sink.ignore(), materializer)).thenApply(d -> ByteString.emptyByteString())
            : Stages.on(materializer.executionContext(), m.asBinaryMessage().toStrict(MESSAGE_TIMEOUT_MILLIS,
                materializer)).thenApply(strict -> strict.data()))
        .filter(bytes -> !bytes.isEmpty())
        .mapAsync(1, bytes -> CompletableFuture.runAsync(() -> deliver(process, bytes), blocking))
        .watchTermination((mat, done) -> {
          // the client closed its side or went away: nothing more will come for stdin
          done.whenComplete((d, e) -> process.closeStdin());
          return NotUsed.getInstance();
        })
        .to(Sink.ignore());
    Source<Message, NotUsed> out = process.output()
        .map(o -> (Message) BinaryMessage.create(ChannelProtocol.frame(o.stream(), o.bytes())))
        .concat(Source.completionStage(process.exit())
            .map(code -> status(ChannelProtocol.exitStatus(query.request().command(), code))))
        .recover(new org.apache.pekko.japi.pf.PFBuilder<Throwable, Message>()
            .matchAny(e -> status(ChannelProtocol.failureStatus(String.valueOf(e.getMessage()))))
            .build())
        .watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> process.close());
          return NotUsed.getInstance();
        });
    return Flow.fromSinkAndSourceCoupled(in, out);
  }

  private static void deliver(ProcessStream process, ByteString message) {
    int channel = message.apply(0) & 0xff;
    ByteString payload = message.drop(1);
    try {
      switch (channel) {
        case ChannelProtocol.STDIN -> process.writeStdin(payload);
        case ChannelProtocol.RESIZE -> ChannelProtocol.size(payload).ifPresent(s -> process.resize(s[0], s[1]));
        case ChannelProtocol.CLOSE -> {
          if (!payload.isEmpty() && (payload.apply(0) & 0xff) == ChannelProtocol.STDIN) {
            process.closeStdin();
          }
        }
        default -> { }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      // a resize of a process that has just ended, say: the output side reports the end
    }
  }

  private static Message status(ObjectNode status) {
    return BinaryMessage.create(ChannelProtocol.frame(ChannelProtocol.ERROR, ByteString.fromArray(Json.bytes(status))));
  }

  private static CompletionStage<HttpResponse> done(ApiStatus status) {
    return CompletableFuture.completedFuture(StatusResponses.response(status));
  }
}
