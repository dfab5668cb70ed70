package io.steuermann.http.portforward;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One forwarded connection: the client's error and data stream and, once both are there, a TCP
 * connection to the pod's port. The client's bytes go to the pod in order and hold the client back
 * while the pod does not read; the pod's bytes go out on the data stream. When the pod closes, both
 * streams are closed with an empty FIN (a reset would read as an error to kubectl); a failure to
 * reach the port is written on the error stream first, as kubelet words it.
 */
final class Forward {
  private static final int QUEUED_CHUNKS = 16;

  private final Consumer<ByteString> control;
  private final ActorSystem<?> system;
  private final Materializer materializer;
  private final SourceQueueWithComplete<ByteString> toPod;
  private final Source<ByteString, NotUsed> toPodSource;
  private int errorStream = -1;
  private int dataStream = -1;
  private volatile boolean reset;
  private volatile UniqueKillSwitch running;

  Forward(Consumer<ByteString> control, ActorSystem<?> system, Materializer materializer) {
    this.control = control;
    this.system = system;
    this.materializer = materializer;
    Pair<SourceQueueWithComplete<ByteString>, Source<ByteString, NotUsed>> queue =
        Source.<ByteString>queue(QUEUED_CHUNKS, OverflowStrategy.backpressure()).preMaterialize(materializer);
    this.toPod = queue.first();
    this.toPodSource = queue.second();
  }

  /** Takes the stream of {@code type}; says what is wrong if the pair already has one. */
  String add(String type, int streamId) {
    if ("error".equals(type)) {
      if (errorStream >= 0) {
        return "error stream already assigned";
      }
      errorStream = streamId;
    } else {
      if (dataStream >= 0) {
        return "data stream already assigned";
      }
      dataStream = streamId;
    }
    return null;
  }

  boolean complete() {
    return errorStream >= 0 && dataStream >= 0;
  }

  boolean isData(int streamId) {
    return streamId == dataStream;
  }

  /** A broken pair: the reason on its error stream, if it has one, as kubelet's printError. */
  void failEarly(String message) {
    if (errorStream >= 0) {
      control.accept(SpdyFraming.data(errorStream, ByteString.fromString(message), false));
    }
  }

  /** Connects to the pod once {@code address} is known and copies both ways until either ends. */
  void start(CompletionStage<InetSocketAddress> address, String failurePrefix, Sink<ByteString, NotUsed> out) {
    int data = dataStream;
    int error = errorStream;
    Source<ByteString, NotUsed> closing = Source.lazySource(() -> reset
        ? Source.<ByteString>empty()
        : Source.from(List.of(SpdyFraming.data(error, ByteString.emptyByteString(), true),
            SpdyFraming.data(data, ByteString.emptyByteString(), true))))
        .mapMaterializedValue(m -> NotUsed.getInstance());
    running = Source.completionStage(address)
        .flatMapConcat(to -> toPodSource.via(Tcp.get(system).outgoingConnection(to.getHostString(), to.getPort())))
        .map(bytes -> SpdyFraming.data(data, bytes, false))
        .recoverWithRetries(1, new PFBuilder<Throwable, Source<ByteString, NotUsed>>()
            .matchAny(e -> {
              // whatever the client still sends for this connection is dropped, not waited for
              toPod.fail(e);
              return reset ? Source.<ByteString>empty()
                  : Source.single(SpdyFraming.data(error, ByteString.fromString(failurePrefix + reason(e)), false));
            })
            .build())
        .concat(closing)
        .viaMat(KillSwitches.single(), Keep.right())
        .to(out)
        .run(materializer);
    if (reset) {
      running.shutdown();
    }
  }

  /** The client's bytes for the pod; {@code last}: the client is done sending (half-close). */
  CompletionStage<Done> fromClient(ByteString bytes, boolean last) {
    CompletionStage<Done> offered = bytes.isEmpty()
        ? java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance())
        // a connection that failed or was reset drops its bytes; the session's other connections go on
        : toPod.offer(bytes).handle((result, e) -> Done.getInstance());
    return last ? offered.thenApply(d -> {
      toPod.complete();
      return d;
    }) : offered;
  }

  /** The client reset a stream or went away: the connection is cut, nothing more is sent. */
  void reset() {
    reset = true;
    toPod.fail(new IllegalStateException("the port-forward stream was reset"));
    UniqueKillSwitch kill = running;
    if (kill != null) {
      kill.shutdown();
    }
  }

  private String reason(Throwable e) {
    Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (cause instanceof org.apache.pekko.stream.StreamTcpException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

}
