package io.steuermann.node.proxy;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.io.Inet;
import org.apache.pekko.io.TcpSO;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one accepted client connection: connects to a backend first and only then starts
 * reading the client, so a refused or timed-out connect moves on to the next candidate
 * without losing a byte. The two connections are then joined both ways with half-close
 * (a client that shuts its output still reads the whole reply) and back-pressure (a slow
 * reader slows the writer; the buffers in between are bounded).
 *
 * <p>The upstream connection is materialized first, with a subscriber as its input and a
 * publisher as its output; the client's connection is materialized on success and wired to
 * those two. Pekko's outgoing TCP stage pulls its input only once connected, and the client's
 * accepted connection reads nothing until it is materialized: so nothing is read from the
 * client while candidates are tried.
 */
final class TcpForwarder {
  private static final Logger log = LoggerFactory.getLogger(TcpForwarder.class);

  private final ActorSystem system;
  private final Materializer materializer;
  private final ProxySettings settings;
  private final ProxyMeters meters;
  private static final long WARN_EVERY_NANOS = 10_000_000_000L;

  private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_EVERY_NANOS);
  private final List<Inet.SocketOption> options = List.of(TcpSO.tcpNoDelay(true), TcpSO.keepAlive(true));

  TcpForwarder(ActorSystem system, Materializer materializer, ProxySettings settings, ProxyMeters meters) {
    this.meters = meters;
    this.system = system;
    this.materializer = materializer;
    this.settings = settings;
  }

  /** Serves {@code client}, which {@code listener} accepted, on one of {@code balancer}'s backends. */
  void serve(Tcp.IncomingConnection client, Balancer balancer, String listener) {
    meters.accepted();
    String clientIp = client.remoteAddress().getAddress().getHostAddress();
    List<Backend> candidates = balancer.candidates(clientIp, System.nanoTime(), settings.maxConnectAttempts());
    if (candidates.isEmpty()) {
      log.debug("{}: no ready endpoint for {}; closing", listener, client.remoteAddress());
      refuse(client);
      return;
    }
    attempt(client, balancer, listener, clientIp, candidates, 0);
  }

  private void attempt(Tcp.IncomingConnection client, Balancer balancer, String listener, String clientIp,
      List<Backend> candidates, int index) {
    Backend backend = candidates.get(index);
    Pair<Pair<Subscriber<ByteString>, CompletionStage<Tcp.OutgoingConnection>>, Publisher<ByteString>> upstream =
        Source.<ByteString>asSubscriber()
            .viaMat(Tcp.get(system).outgoingConnection(backend.address(), Optional.empty(), options, true,
                Optional.of(settings.connectTimeout()), Optional.empty()), Keep.both())
            .toMat(Sink.asPublisher(AsPublisher.WITHOUT_FANOUT), Keep.both())
            .run(materializer);
    upstream.first().second().whenComplete((connected, error) -> {
      if (error == null) {
        balancer.connected(clientIp, backend, System.nanoTime());
        client.handleWith(Flow.fromSinkAndSource(Sink.fromSubscriber(upstream.first().first()),
            Source.fromPublisher(upstream.second())).watchTermination((mat, done) -> {
              meters.opened();
              done.whenComplete((d, e) -> meters.closed());
              return mat;
            }), materializer);
      } else if (index + 1 < candidates.size()) {
        log.debug("{}: connect to {} failed ({}); trying {}", listener, backend, error.getMessage(),
            candidates.get(index + 1));
        attempt(client, balancer, listener, clientIp, candidates, index + 1);
      } else {
        unreachable(listener, client, backend, error);
        refuse(client);
      }
    });
  }

  /** Logged at most every {@link #WARN_EVERY_NANOS} per listener: clients may keep trying. */
  private void unreachable(String listener, Tcp.IncomingConnection client, Backend backend, Throwable error) {
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_EVERY_NANOS && lastWarning.compareAndSet(last, now)) {
      log.warn("{}: no endpoint reachable for {} (last tried {}: {}); closing its connection (logged at most "
          + "every 10 s)", listener, client.remoteAddress(), backend, error.getMessage());
    } else {
      log.debug("{}: no endpoint reachable for {} (last tried {}: {})", listener, client.remoteAddress(), backend,
          error.getMessage());
    }
  }

  /** Closes the client's connection at once (no endpoint to serve it). */
  private void refuse(Tcp.IncomingConnection client) {
    meters.refused();
    client.handleWith(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()), materializer);
  }
}
