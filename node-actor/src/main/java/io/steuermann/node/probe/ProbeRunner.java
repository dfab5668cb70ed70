package io.steuermann.node.probe;

import io.steuermann.node.probe.ProbeSpec.Exec;
import io.steuermann.node.probe.ProbeSpec.HttpGet;
import io.steuermann.node.probe.ProbeSpec.TcpSocket;
import io.steuermann.node.probe.ProbeSpec.Unsupported;
import io.steuermann.node.runtime.ContainerRuntime;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.AsynchronousSocketChannel;
import java.nio.channels.CompletionHandler;
import java.time.Duration;
import java.util.Locale;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs single probe attempts of one node's containers, without blocking the caller:
 * httpGet on a fresh connection per attempt ({@link PlainHttpGet}; HTTPS through the shared
 * {@link ProbeClients}; success = status 200-399), tcpSocket with a
 * non-blocking connect, exec through the node's {@link ContainerRuntime}. Every attempt
 * completes within the probe's timeout (plus a little), never exceptionally: failures are
 * {@link ProbeResult}s whose messages follow Kubernetes' wording.
 */
public final class ProbeRunner {
  /** Headers the JDK client sets itself and refuses to take from us. */
  private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");
  private static final String USER_AGENT = "kube-probe/1.32";
  /** Slack beyond the probe's timeout for an attempt whose own timeout did not fire. */
  private static final Duration SLACK = Duration.ofMillis(500);

  private final ContainerRuntime runtime;
  private final ProbeClients clients;
  private final Executor executor;

  /** @param executor runs what may block briefly (resolving a host name) */
  public ProbeRunner(ContainerRuntime runtime, ProbeClients clients, Executor executor) {
    this.runtime = runtime;
    this.clients = clients;
    this.executor = executor;
  }

  public CompletionStage<ProbeResult> run(ProbeSpec spec, ProbeTarget target) {
    CompletableFuture<ProbeResult> attempt;
    try {
      ProbeSpec.Action action = spec.action();
      if (action instanceof HttpGet h) {
        attempt = httpGet(h, spec.timeout(), target);
      } else if (action instanceof TcpSocket t) {
        attempt = tcpSocket(t, spec.timeout(), target);
      } else if (action instanceof Exec e) {
        attempt = exec(e, spec.timeout(), target);
      } else {
        attempt = CompletableFuture.completedFuture(ProbeResult.failed(((Unsupported) action).what()));
      }
    } catch (RuntimeException e) {
      attempt = CompletableFuture.completedFuture(ProbeResult.failed(String.valueOf(e.getMessage())));
    }
    return attempt
        .completeOnTimeout(ProbeResult.failed("probe timed out after " + spec.timeout().toSeconds() + "s"),
            spec.timeout().plus(SLACK).toMillis(), TimeUnit.MILLISECONDS)
        .exceptionally(e -> ProbeResult.failed(String.valueOf(cause(e).getMessage())));
  }

  private CompletableFuture<ProbeResult> httpGet(HttpGet h, Duration timeout, ProbeTarget target) {
    OptionalInt port = target.port(h.port());
    if (port.isEmpty()) {
      return CompletableFuture.completedFuture(ProbeResult.failed("couldn't find port: " + h.port()));
    }
    String host = hostOf(h.host(), target);
    String path = h.path().startsWith("/") ? h.path() : "/" + h.path();
    String url = h.scheme().toLowerCase(Locale.ROOT) + "://" + hostPort(host, port.getAsInt()) + path;
    if (!h.scheme().equals("HTTPS")) {
      return PlainHttpGet.status(host, port.getAsInt(), path, h.headers(), USER_AGENT, executor)
          .handle((code, error) -> {
            if (error == null) {
              return answered(code);
            }
            Throwable cause = cause(error);
            return ProbeResult.failed("Get \"" + url + "\": " + (cause instanceof java.net.ConnectException
                ? "dial tcp " + hostPort(host, port.getAsInt()) + ": " + connectFailure(cause)
                : String.valueOf(cause.getMessage())));
          })
          .completeOnTimeout(ProbeResult.failed("Get \"" + url + "\": context deadline exceeded "
              + "(Client.Timeout exceeded while awaiting headers)"), timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET()
        .header("User-Agent", USER_AGENT)
        .header("Accept", "*/*");
    for (var header : h.headers()) {
      if (!RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
        request.setHeader(header.getKey(), header.getValue());
      }
    }
    return clients.http().sendAsync(request.build(), HttpResponse.BodyHandlers.discarding())
        .handle((response, error) -> {
          if (error != null) {
            Throwable cause = cause(error);
            String why = cause instanceof HttpConnectTimeoutException
                ? "dial tcp " + hostPort(host, port.getAsInt()) + ": i/o timeout"
                : cause instanceof HttpTimeoutException
                    ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                    : "dial tcp " + hostPort(host, port.getAsInt()) + ": " + connectFailure(cause);
            return ProbeResult.failed("Get \"" + url + "\": " + why);
          }
          return answered(response.statusCode());
        });
  }

  private static ProbeResult answered(int code) {
    return code >= 200 && code < 400 ? ProbeResult.ok()
        : ProbeResult.failed("HTTP probe failed with statuscode: " + code);
  }

  private CompletableFuture<ProbeResult> tcpSocket(TcpSocket t, Duration timeout, ProbeTarget target) {
    OptionalInt port = target.port(t.port());
    if (port.isEmpty()) {
      return CompletableFuture.completedFuture(ProbeResult.failed("couldn't find port: " + t.port()));
    }
    String host = hostOf(t.host(), target);
    String dial = "dial tcp " + hostPort(host, port.getAsInt());
    return CompletableFuture.supplyAsync(() -> new InetSocketAddress(host, port.getAsInt()), executor)
        .thenCompose(address -> {
          CompletableFuture<ProbeResult> result = new CompletableFuture<>();
          AsynchronousSocketChannel channel;
          try {
            channel = AsynchronousSocketChannel.open();
          } catch (IOException e) {
            return CompletableFuture.completedFuture(ProbeResult.failed(dial + ": " + e.getMessage()));
          }
          channel.connect(address, null, new CompletionHandler<Void, Void>() {
            @Override
            public void completed(Void v, Void attachment) {
              result.complete(ProbeResult.ok());
            }

            @Override
            public void failed(Throwable error, Void attachment) {
              result.complete(ProbeResult.failed(dial + ": " + connectFailure(error)));
            }
          });
          return result
              .completeOnTimeout(ProbeResult.failed(dial + ": i/o timeout"), timeout.toMillis(), TimeUnit.MILLISECONDS)
              .whenComplete((r, e) -> close(channel));
        });
  }

  private CompletableFuture<ProbeResult> exec(Exec e, Duration timeout, ProbeTarget target) {
    if (e.command().isEmpty()) {
      return CompletableFuture.completedFuture(ProbeResult.failed("exec probe without a command"));
    }
    return runtime.exec(target.pod(), target.container(), e.command(), timeout).toCompletableFuture()
        .thenApply(result -> {
          if (result.timedOut()) {
            return ProbeResult.failed("command \"" + String.join(" ", e.command()) + "\" timed out");
          }
          if (result.exitCode() == 0) {
            return ProbeResult.ok();
          }
          String output = result.output() == null ? "" : result.output().strip();
          return ProbeResult.failed(output.isEmpty()
              ? "command \"" + String.join(" ", e.command()) + "\" exited with " + result.exitCode()
              : output);
        });
  }

  private static String hostOf(String host, ProbeTarget target) {
    return host.isEmpty() ? target.podIp() : host;
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String connectFailure(Throwable error) {
    Throwable cause = cause(error);
    String message = cause.getMessage();
    if (cause instanceof java.net.ConnectException) {
      return "connect: connection refused";
    }
    if (cause instanceof TimeoutException) {
      return "i/o timeout";
    }
    return message == null ? cause.getClass().getSimpleName() : message;
  }

  private static Throwable cause(Throwable e) {
    Throwable t = e;
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException
        || (t instanceof IOException && t.getCause() instanceof java.net.ConnectException)) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private static void close(AsynchronousSocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // closing a probe's socket: nothing to do about a failure
    }
  }
}
