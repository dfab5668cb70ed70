package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.http.portforward.PortForwardSession;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.Materializer;

/**
 * {@code pods/{name}/portforward} as kubectl 1.32 speaks it by default: a WebSocket carrying SPDY
 * ({@link PortForwardSession}); each forwarded connection reaches the pod's port from the machine
 * that runs the pod, inside the pod's network (its pod-network address). A plain SPDY upgrade,
 * which kubectl falls back to only when the WebSocket is refused, is not spoken. A request for a
 * pod on another member's node is relayed to that member.
 */
public final class PodPortForward {
  private static final long MESSAGE_TIMEOUT_MILLIS = 10_000;

  private final ObjectStore store;
  private final PodLogs.NodeRuntimes nodes;
  private final NodeForwarding forwarding;
  private final ActorSystem<?> system;
  private final Materializer materializer;

  public PodPortForward(ObjectStore store, PodLogs.NodeRuntimes nodes, NodeForwarding forwarding,
      ActorSystem<?> system, Materializer materializer) {
    this.store = store;
    this.nodes = nodes;
    this.forwarding = forwarding;
    this.system = system;
    this.materializer = materializer;
  }

  public CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    if (!request.method().equals(HttpMethods.GET) && !request.method().equals(HttpMethods.POST)) {
      return done(ApiStatus.methodNotAllowed("pods/portforward supports GET and POST only"));
    }
    for (String port : request.getUri().query().getAll("ports")) {
      for (String one : port.split(",")) {
        if (!validPort(one.trim())) {
          return done(ApiStatus.badRequest("invalid port \"" + one.trim() + "\": ports must be between 1 and 65535"));
        }
      }
    }
    Optional<WebSocketUpgrade> upgrade = request.getAttribute(AttributeKeys.webSocketUpgrade);
    return store.get(ObjectKey.of(Kind.POD, path.namespace(), path.name())).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done found)) {
        return done(((ObjectCommand.Refused) reply).status());
      }
      return open(request, found.object(), upgrade);
    }).exceptionally(e -> StatusResponses.response(ApiStatus.timeout("reading the pod failed: " + e.getMessage())));
  }

  private CompletionStage<HttpResponse> open(HttpRequest request, ObjectNode pod, Optional<WebSocketUpgrade> upgrade) {
    String node = pod.path("spec").path("nodeName").asText("");
    if (node.isEmpty()) {
      return done(ApiStatus.badRequest("pod " + Meta.name(pod) + " does not have a host assigned"));
    }
    NodePlacement placement = NodePlacement.of(request, node, nodes, forwarding, "pods/portforward is");
    if (placement instanceof NodePlacement.Unreachable unreachable) {
      return done(unreachable.status());
    }
    if (upgrade.isEmpty()) {
      return done(ApiStatus.badRequest("Upgrade request required: pods/portforward is served over WebSocket ("
          + PortForwardSession.PROTOCOL + "); SPDY is not supported"));
    }
    boolean offered = false;
    for (String protocol : WebSocketProtocols.requested(request, upgrade.get())) {
      offered |= PortForwardSession.PROTOCOL.equalsIgnoreCase(protocol.trim());
    }
    if (!offered) {
      return done(ApiStatus.badRequest("unsupported WebSocket subprotocol " + WebSocketProtocols.requested(request, upgrade.get())
          + ": pods/portforward speaks " + PortForwardSession.PROTOCOL));
    }
    if (placement instanceof NodePlacement.Elsewhere elsewhere) {
      return forwarding.relay(request, upgrade.get(), PortForwardSession.PROTOCOL, elsewhere.api());
    }
    ContainerRuntime runtime = ((NodePlacement.Here) placement).runtime();
    PodRef ref = new PodRef(Meta.namespace(pod), Meta.name(pod), Meta.uid(pod));
    PortForwardSession session = new PortForwardSession(ref.name(), ref.uid(),
        port -> runtime.portForwardAddress(ref, port), system, materializer);
    return CompletableFuture.completedFuture(
        WebSocketProtocols.accept(upgrade.get(), session.flow(MESSAGE_TIMEOUT_MILLIS), PortForwardSession.PROTOCOL));
  }

  private static boolean validPort(String port) {
    try {
      int p = Integer.parseInt(port);
      return p >= 1 && p <= 65535;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static CompletionStage<HttpResponse> done(ApiStatus status) {
    return CompletableFuture.completedFuture(StatusResponses.response(status));
  }
}
