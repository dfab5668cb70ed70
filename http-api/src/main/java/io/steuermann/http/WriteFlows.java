package io.steuermann.http;

import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Which client a write comes from, for {@link WriteLimiter}'s per-client bound: its User-Agent
 * and its address, as API Priority and Fairness tells flows apart when there is no user (each
 * kubectl, controller and client library names itself in its User-Agent).
 */
final class WriteFlows {
  private WriteFlows() {}

  static String of(HttpRequest request) {
    String agent = request.getHeader("User-Agent").map(h -> h.value()).orElse("");
    String address = request.getAttribute(AttributeKeys.remoteAddress)
        .flatMap(remote -> remote.getAddress().map(a -> a.getHostAddress()))
        .orElse("");
    return address + " " + agent;
  }
}
