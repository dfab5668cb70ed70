package io.steuermann.http;

import io.steuermann.engine.api.Stages;
import io.steuermann.engine.cluster.ApiEndpointRole;
import io.steuermann.engine.controllers.nodes.NodeLifecycleController;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.watch.WatchCache;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgradeResponse;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;

/**
 * Pod logs, exec and attach for a pod whose node runs in another member: the request goes on to
 * that member's API, as kube-apiserver sends it on to the node's kubelet. The member is the one
 * the Node's {@code steuermann.io/cluster-member} annotation names; its API address is its
 * {@link ApiEndpointRole}. A forwarded request carries a header, so it is never forwarded twice.
 */
public final class NodeForwarding {
  static final String FORWARDED = "X-Steuermann-Forwarded";

  private final ActorSystem<?> system;
  private final WatchCache cache;
  private final Materializer materializer;

  public NodeForwarding(ActorSystem<?> system, WatchCache cache, Materializer materializer) {
    this.system = system;
    this.cache = cache;
    this.materializer = materializer;
  }

  /** Whether another member sent this request on: it is never sent on again. */
  public static boolean wasForwarded(HttpRequest request) {
    return request.getHeader(FORWARDED).isPresent();
  }

  /** The API of the member that runs {@code node}, as {@code http://ip:port}, if another member runs it. */
  public Optional<String> apiOf(String node) {
    var object = cache.get(ObjectKey.of(Kind.NODE, "", node));
    if (object == null) {
      return Optional.empty();
    }
    String member = object.path("metadata").path("annotations").path(NodeLifecycleController.MEMBER_ANNOTATION).asText("");
    for (Member m : Cluster.get(system).state().getMembers()) {
      String id = m.uniqueAddress().address() + "#" + m.uniqueAddress().longUid();
      if (id.equals(member) && !m.uniqueAddress().equals(Cluster.get(system).selfMember().uniqueAddress())) {
        for (String role : m.getRoles()) {
          Optional<ApiEndpointRole> api = ApiEndpointRole.parse(role);
          if (api.isPresent()) {
            return Optional.of("http://" + api.get().ip() + ":" + api.get().port());
          }
        }
      }
    }
    return Optional.empty();
  }

  /** Sends a plain request (logs) on to {@code api} and answers what it answers, streamed. */
  CompletionStage<HttpResponse> forward(HttpRequest request, String api) {
    HttpRequest onward = HttpRequest.create(api + request.getUri().toRelative().toString())
        .withMethod(request.method())
        .addHeader(RawHeader.create(FORWARDED, "1"));
    for (HttpHeader header : request.getHeaders()) {
      if (header.is("accept") || header.is("user-agent")) {
        onward = onward.addHeader(header);
      }
    }
    return Stages.on(system.executionContext(), Http.get(system).singleRequest(onward))
        .exceptionally(e -> StatusResponses.response(ApiStatus.unavailable(
            "the member at " + api + " that runs the pod's node did not answer: " + e.getMessage())));
  }

  /**
   * Relays a WebSocket (exec, attach) to {@code api}: the onward socket is opened first, so that
   * its refusal (a Status) is what the client gets; only once it is up is the client's upgraded.
   */
  CompletionStage<HttpResponse> relay(HttpRequest request, WebSocketUpgrade upgrade, String protocol, String api) {
    Pair<Subscriber<Message>, Source<Message, org.apache.pekko.NotUsed>> toUpstream =
        Source.<Message>asSubscriber().preMaterialize(materializer);
    Pair<Publisher<Message>, Sink<Message, org.apache.pekko.NotUsed>> fromUpstream =
        Sink.<Message>asPublisher(org.apache.pekko.stream.javadsl.AsPublisher.WITHOUT_FANOUT).preMaterialize(materializer);
    String uri = api.replaceFirst("^http", "ws") + request.getUri().toRelative().toString();
    WebSocketRequest onward = WebSocketProtocols.request(WebSocketRequest.create(uri), protocol)
        .addHeader(RawHeader.create(FORWARDED, "1"));
    Pair<CompletionStage<WebSocketUpgradeResponse>, org.apache.pekko.NotUsed> opened = Http.get(system)
        .singleWebSocketRequest(onward, Flow.fromSinkAndSourceCoupled(fromUpstream.second(), toUpstream.second()),
            materializer);
    return opened.first().thenApply(response -> {
      if (!response.isValid()) {
        // nothing will flow: end the pieces made for the relay
        Source.<Message>empty().runWith(Sink.fromSubscriber(toUpstream.first()), materializer);
        Source.fromPublisher(fromUpstream.first()).runWith(Sink.ignore(), materializer);
        return response.response();
      }
      return WebSocketProtocols.accept(upgrade, Flow.fromSinkAndSourceCoupled(
          Sink.fromSubscriber(toUpstream.first()), Source.fromPublisher(fromUpstream.first())), protocol);
    }).exceptionally(e -> StatusResponses.response(ApiStatus.unavailable(
        "the member at " + api + " that runs the pod's node did not answer: " + e.getMessage())));
  }

  static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }
}
