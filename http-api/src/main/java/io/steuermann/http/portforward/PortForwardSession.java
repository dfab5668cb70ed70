package io.steuermann.http.portforward;

import io.steuermann.engine.api.Stages;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.IntFunction;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ws.BinaryMessage;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.MergeHub;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One {@code kubectl port-forward} session: SPDY/3.1 tunnelled in WebSocket binary messages
 * (subprotocol {@value #PROTOCOL}, each message a slice of the SPDY byte stream), as kubelet
 * serves it. For every local connection the client opens two streams with the same
 * {@code requestid} and {@code port} headers — {@code streamtype: error}, then {@code data} — and
 * waits for a reply to each; the data stream then carries the connection's bytes both ways and the
 * error stream the reason if the pod's port could not be reached. Each pair becomes one TCP
 * connection to the pod ({@link Forward}). Frames from the client are handled one message at a
 * time, in order; what goes back is merged from the session's control frames and every
 * connection's data.
 */
public final class PortForwardSession {
  public static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";
  private static final int CONTROL_FRAMES = 256;

  private final SpdyFraming framing = new SpdyFraming();
  private final IntFunction<CompletionStage<InetSocketAddress>> target;
  private final String pod;
  private final String uid;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final Sink<ByteString, NotUsed> out;
  private final Source<ByteString, NotUsed> outgoing;
  private final BoundedSourceQueue<ByteString> control;
  /** By requestid, and by stream id; touched only while a client message is handled. */
  private final Map<String, Forward> byRequest = new HashMap<>();
  private final Map<Integer, Forward> byStream = new HashMap<>();

  /** {@code target} says where the pod's port is reached (or fails with the reason for the user). */
  public PortForwardSession(String pod, String uid, IntFunction<CompletionStage<InetSocketAddress>> target,
      ActorSystem<?> system, Materializer materializer) {
    this.pod = pod;
    this.uid = uid;
    this.target = target;
    this.system = system;
    this.materializer = materializer;
    Pair<Sink<ByteString, NotUsed>, Source<ByteString, NotUsed>> hub =
        MergeHub.of(ByteString.class, 16).preMaterialize(materializer);
    this.out = hub.first();
    this.outgoing = hub.second();
    this.control = Source.<ByteString>queue(CONTROL_FRAMES).to(out).run(materializer);
  }

  /** The WebSocket's messages in, the session's bytes out; either side's end ends both. */
  public Flow<Message, Message, NotUsed> flow(long messageTimeoutMillis) {
    Sink<Message, NotUsed> in = Flow.<Message>create()
        .mapAsync(1, m -> m.isText()
            // on the dispatcher first: see Stages (a thread per message otherwise)
            ? Stages.on(materializer.executionContext(), m.asTextMessage().getStreamedText()
                .runWith(Sink.ignore(), materializer)).thenApply(d -> ByteString.emptyByteString())
            : Stages.on(materializer.executionContext(), m.asBinaryMessage().toStrict(messageTimeoutMillis,
                materializer)).thenApply(s -> s.data()))
        .mapAsync(1, this::received)
        .takeWhile(open -> open)
        .watchTermination((mat, done) -> {
          done.whenComplete((d, e) -> end());
          return NotUsed.getInstance();
        })
        .to(Sink.ignore());
    return Flow.fromSinkAndSourceCoupled(in, outgoing.map(bytes -> (Message) BinaryMessage.create(bytes)));
  }

  /** Handles one slice of the client's stream; completes once its bytes are handed on, false at GOAWAY. */
  CompletionStage<Boolean> received(ByteString bytes) {
    CompletionStage<Done> handedOn = CompletableFuture.completedFuture(Done.getInstance());
    for (SpdyFraming.Frame frame : framing.read(bytes)) {
      if (frame instanceof SpdyFraming.NewStream stream) {
        opened(stream);
      } else if (frame instanceof SpdyFraming.Data data) {
        Forward forward = byStream.get(data.streamId());
        if (forward != null && forward.isData(data.streamId())) {
          handedOn = handedOn.thenCompose(d -> forward.fromClient(data.bytes(), data.last()));
        }
      } else if (frame instanceof SpdyFraming.Reset reset) {
        Forward forward = byStream.get(reset.streamId());
        if (forward != null) {
          forget(forward);
          forward.reset();
        }
      } else if (frame instanceof SpdyFraming.Ping ping) {
        send(framing.ping(ping.id()));
      } else if (frame instanceof SpdyFraming.GoAway) {
        return handedOn.thenApply(d -> false);
      }
    }
    return handedOn.thenApply(d -> true);
  }

  /** A new stream: refused (reset) without valid headers, as kubelet does; else answered and paired. */
  private void opened(SpdyFraming.NewStream stream) {
    String refusal = refusal(stream.headers());
    if (refusal != null || stream.invalid()) {
      send(framing.reset(stream.id()));
      return;
    }
    send(framing.reply(stream.id()));
    int port = Integer.parseInt(stream.headers().get("port"));
    String type = stream.headers().get("streamtype");
    String request = stream.headers().get("requestid");
    if (request == null || request.isEmpty()) {
      // clients before requestid: the error stream comes first and the data stream next (kubelet's guess)
      request = Integer.toString("error".equals(type) ? stream.id() : stream.id() - 2);
    }
    Forward forward = byRequest.computeIfAbsent(request, r -> new Forward(this::send, system, materializer));
    String problem = forward.add(type, stream.id());
    if (problem != null) {
      forward.failEarly("error processing stream for request " + request + ": " + problem);
      return;
    }
    byStream.put(stream.id(), forward);
    if (forward.complete()) {
      byRequest.remove(request);
      forward.start(target.apply(port), "error forwarding port " + port + " to pod " + pod + ", uid " + uid + ": ", out);
    }
  }

  private static String refusal(Map<String, String> headers) {
    String port = headers.get("port");
    if (port == null || port.isEmpty()) {
      return "\"port\" header is required";
    }
    try {
      int p = Integer.parseInt(port);
      if (p < 1 || p > 65535) {
        return "port \"" + port + "\" must be > 0";
      }
    } catch (NumberFormatException e) {
      return "unable to parse \"" + port + "\" as a port";
    }
    String type = headers.get("streamtype");
    if (type == null || type.isEmpty()) {
      return "\"streamType\" header is required";
    }
    if (!List.of("error", "data").contains(type)) {
      return "invalid stream type \"" + type + "\"";
    }
    return null;
  }

  private void forget(Forward forward) {
    byStream.values().removeIf(f -> f == forward);
    byRequest.values().removeIf(f -> f == forward);
  }

  private void send(ByteString frame) {
    if (!(control.offer(frame) instanceof QueueOfferResult.Enqueued$)) {
      // the client does not read its pings' answers and replies: the session is beyond saving
      control.fail(new IllegalStateException("the port-forward client does not read"));
    }
  }

  /** The WebSocket is gone: every connection to the pod goes with it. */
  private void end() {
    for (Forward forward : byStream.values()) {
      forward.reset();
    }
    for (Forward forward : byRequest.values()) {
      forward.reset();
    }
    byStream.clear();
    byRequest.clear();
    control.complete();
    framing.close();
  }
}
