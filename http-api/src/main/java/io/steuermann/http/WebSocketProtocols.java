package io.steuermann.http;

import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketRequest;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * WebSocket subprotocols as Kubernetes names them. Pekko HTTP reads and writes only names that
 * are RFC 6455 tokens; kubectl's port-forward asks for {@code SPDY/3.1+portforward.k8s.io}, whose
 * '/' is not a token character, so such a name is read from and written to the raw header here.
 */
final class WebSocketProtocols {
  static final String HEADER = "Sec-WebSocket-Protocol";

  private WebSocketProtocols() {}

  /** What the client offers, whether Pekko could parse it or not. */
  static List<String> requested(HttpRequest request, WebSocketUpgrade upgrade) {
    List<String> offered = new ArrayList<>();
    upgrade.getRequestedProtocols().forEach(offered::add);
    for (var header : request.getHeaders()) {
      if (header.is(HEADER.toLowerCase(java.util.Locale.ROOT)) && header instanceof RawHeader) {
        for (String one : header.value().split(",")) {
          if (!one.isBlank()) {
            offered.add(one.trim());
          }
        }
      }
    }
    return offered;
  }

  /** The 101 answer that speaks {@code protocol} with {@code handler}. */
  static HttpResponse accept(WebSocketUpgrade upgrade, Flow<Message, Message, NotUsed> handler, String protocol) {
    if (isToken(protocol)) {
      return upgrade.handleMessagesWith(handler, protocol);
    }
    return upgrade.handleMessagesWith(handler).addHeader(RawHeader.create(HEADER, protocol));
  }

  /** A client request that asks for {@code protocol}. */
  static WebSocketRequest request(WebSocketRequest request, String protocol) {
    return isToken(protocol) ? request.requestSubprotocol(protocol) : request.addHeader(RawHeader.create(HEADER, protocol));
  }

  private static boolean isToken(String name) {
    for (char c : name.toCharArray()) {
      if (c <= 32 || c >= 127 || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
        return false;
      }
    }
    return !name.isEmpty();
  }
}
