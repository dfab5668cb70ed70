package io.steuermann.node.ingress;

import io.steuermann.node.proxy.Backend;
import io.steuermann.node.proxy.Balancer;
import io.steuermann.engine.api.Stages;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.Host;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.settings.ConnectionPoolSettings;

/**
 * Answers one request of the ingress ports: routes it by host and path ({@link IngressRoutes}),
 * picks a ready endpoint of the backend Service round-robin (the Service proxy's
 * {@link Balancer}), and forwards it over Pekko HTTP's pooled client with the body streaming
 * both ways. A WebSocket upgrade is forwarded as a WebSocket to the endpoint, frames passed
 * through. 404 when no rule matches and there is no default backend, 503 when the backend has no
 * ready endpoint, 502 when the endpoint cannot be reached.
 */
final class IngressForwarder {
  /** Headers this hop owns: Pekko renders its own, or they describe the client's connection. */
  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-authenticate",
      "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "timeout-access", "remote-address",
      "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-real-ip");

  private final ActorSystem<?> system;
  private final Http http;
  private final Supplier<IngressRoutes.Table> table;
  private final ConnectionPoolSettings pool;
  private final Map<String, Balancer> balancers = new ConcurrentHashMap<>();

  IngressForwarder(ActorSystem<?> system, Supplier<IngressRoutes.Table> table, ConnectionPoolSettings pool) {
    this.system = system;
    this.http = Http.get(system);
    this.table = table;
    this.pool = pool;
  }

  /** The new table's endpoints for every balancer; balancers of backends gone are dropped. */
  void tableChanged(IngressRoutes.Table now) {
    balancers.keySet().retainAll(now.backends().keySet());
    balancers.forEach((key, balancer) -> balancer.update(now.endpoints(key), 0));
  }

  CompletionStage<HttpResponse> handle(HttpRequest request, boolean tls, int port) {
    IngressRoutes.Table routes = table.get();
    String host = request.getHeader(Host.class).map(h -> h.host().address())
        .orElse(request.getUri().host().address());
    Optional<String> backend = routes.route(host, request.getUri().path());
    if (backend.isEmpty()) {
      return answer(request, StatusCodes.NOT_FOUND, "404 Not Found: no Ingress rule matches " + host
          + request.getUri().path() + " and there is no default backend\n");
    }
    List<Backend> endpoints = routes.endpoints(backend.get());
    Balancer balancer = balancers.computeIfAbsent(backend.get(), k -> new Balancer(endpoints, 0));
    String client = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(a -> a.getAddress().map(java.net.InetAddress::getHostAddress)).orElse("");
    List<Backend> chosen = balancer.candidates(client, System.nanoTime(), 1);
    if (chosen.isEmpty()) {
      return answer(request, StatusCodes.SERVICE_UNAVAILABLE, "503 Service Unavailable: " + backend.get()
          + " has no ready endpoint\n");
    }
    Backend target = chosen.get(0);
    List<HttpHeader> headers = forwardedHeaders(request, client, host, tls, port);
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    if (upgrade.isPresent()) {
      return CompletableFuture.completedFuture(webSocket(request, upgrade.get(), target, headers));
    }
    Uri uri = request.getUri().scheme("http").host(target.ip()).port(target.port());
    HttpRequest outgoing = request.withUri(uri).withHeaders(headers);
    // on the dispatcher first: a callback on Pekko's converted future would run on the JDK's
    // async pool, which on 2 cores starts a thread for every request (Stages)
    return Stages.on(system.executionContext(),
            http.singleRequest(outgoing, http.defaultClientHttpsContext(), pool, system.classicSystem().log()))
        .exceptionally(e -> {
          // the body may be half sent: Pekko closes the client's connection after this answer
          return HttpResponse.create().withStatus(StatusCodes.BAD_GATEWAY).withEntity(ContentTypes.TEXT_PLAIN_UTF8,
              "502 Bad Gateway: " + target + " of " + backend.get() + ": " + rootMessage(e) + "\n");
        });
  }

  /** The client's headers but this hop's own, with X-Forwarded-* of this hop added (Host is kept). */
  private static List<HttpHeader> forwardedHeaders(HttpRequest request, String client, String host, boolean tls,
      int port) {
    List<HttpHeader> headers = new ArrayList<>();
    String forwardedFor = "";
    for (HttpHeader h : request.getHeaders()) {
      String name = h.lowercaseName();
      if ("x-forwarded-for".equals(name)) {
        forwardedFor = h.value() + ", ";
      }
      if (!HOP_BY_HOP.contains(name)) {
        headers.add(h);
      }
    }
    if (!client.isEmpty()) {
      headers.add(RawHeader.create("X-Forwarded-For", forwardedFor + client));
      headers.add(RawHeader.create("X-Real-IP", client));
    }
    headers.add(RawHeader.create("X-Forwarded-Proto", tls ? "https" : "http"));
    headers.add(RawHeader.create("X-Forwarded-Host", host));
    headers.add(RawHeader.create("X-Forwarded-Port", Integer.toString(port)));
    return headers;
  }

  /**
   * Frames pass through a WebSocket of our own to the endpoint. The first subprotocol the client
   * offers is the one asked of the endpoint and answered to the client (the endpoint's own choice
   * is not known before the client is answered).
   */
  private HttpResponse webSocket(HttpRequest request, WebSocketUpgrade upgrade, Backend target,
      List<HttpHeader> headers) {
    Uri uri = request.getUri().scheme("ws").host(target.ip()).port(target.port());
    WebSocketRequest outgoing = WebSocketRequest.create(uri);
    for (HttpHeader h : headers) {
      String name = h.lowercaseName();
      if (!name.equals("host") && !name.startsWith("sec-websocket-")) {
        outgoing = outgoing.addHeader(h);
      }
    }
    java.util.Iterator<String> protocols = upgrade.getRequestedProtocols().iterator();
    if (protocols.hasNext()) {
      String protocol = protocols.next();
      return upgrade.handleMessagesWith(http.webSocketClientFlow(outgoing.requestSubprotocol(protocol)), protocol);
    }
    return upgrade.handleMessagesWith(http.webSocketClientFlow(outgoing));
  }

  private CompletionStage<HttpResponse> answer(HttpRequest request, org.apache.pekko.http.javadsl.model.StatusCode code,
      String text) {
    request.discardEntityBytes(system);
    return CompletableFuture.completedFuture(
        HttpResponse.create().withStatus(code).withEntity(ContentTypes.TEXT_PLAIN_UTF8, text));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("connect")
        ? "connection refused or timed out" : String.valueOf(t.getMessage());
  }
}
