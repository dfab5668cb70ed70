package io.steuermann.node.dns;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;

/**
 * Sends names outside the cluster to the configured resolvers (dnsjava's resolvers: retries,
 * rotation, and a TCP retry of a truncated answer) and gives their answer back under the
 * client's id; SERVFAIL when none answers in time.
 */
final class DnsForwarder {
  private final Resolver resolver;
  private final List<InetSocketAddress> upstreams;

  DnsForwarder(List<InetSocketAddress> upstreams, java.time.Duration timeout) {
    this.upstreams = List.copyOf(upstreams);
    Resolver[] each = upstreams.stream().map(a -> {
      SimpleResolver r = new SimpleResolver(a);
      r.setTimeout(timeout);
      return (Resolver) r;
    }).toArray(Resolver[]::new);
    ExtendedResolver all = new ExtendedResolver(each);
    all.setTimeout(timeout);
    all.setRetries(1);
    this.resolver = all;
  }

  List<InetSocketAddress> upstreams() {
    return upstreams;
  }

  CompletionStage<Message> forward(Message query, int advertisedPayload) {
    int id = query.getHeader().getID();
    CompletableFuture<Message> answer = new CompletableFuture<>();
    resolver.sendAsync(query).whenComplete((response, error) -> {
      Message out;
      if (error != null) {
        out = DnsAnswers.error(query, Rcode.SERVFAIL, advertisedPayload);
      } else {
        out = response;
        out.getHeader().setID(id);
      }
      answer.complete(out);
    });
    return answer;
  }
}
