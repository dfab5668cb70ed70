package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.TextMessage;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * A watch over a WebSocket, as kube-apiserver serves it: the upgrade is accepted (101), each
 * watch event goes as one text frame holding its JSON, and the socket closes when the watch
 * ends. The client sends nothing that matters; whatever it sends is read and dropped, and its
 * close ends the watch (the two directions are coupled). No subprotocol is chosen: a watch has
 * no channels. Quiet watches are kept alive by the server's periodic pings
 * ({@code pekko.http.server.websocket.periodic-keep-alive-max-idle}).
 */
final class WebSocketWatch {
  private WebSocketWatch() {}

  static HttpResponse events(WebSocketUpgrade upgrade, Source<ObjectNode, NotUsed> events) {
    Source<Message, NotUsed> frames = events.map(e -> (Message) TextMessage.create(Json.string(e)));
    return upgrade.handleMessagesWith(Flow.fromSinkAndSourceCoupled(Sink.<Message>ignore(), frames));
  }

  /**
   * A watch that cannot start (its resourceVersion is too old) over a WebSocket: kube-apiserver
   * upgrades and sends one ERROR event with the Status, so the client relists.
   */
  static HttpResponse gone(WebSocketUpgrade upgrade, ApiStatus status) {
    ObjectNode event = Json.object();
    event.put("type", "ERROR");
    event.set("object", StatusResponses.toJson(status));
    return events(upgrade, Source.single(event));
  }
}
