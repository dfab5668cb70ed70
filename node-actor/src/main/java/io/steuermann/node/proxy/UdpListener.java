package io.steuermann.node.proxy;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.AbstractActorWithTimers;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.io.UdpSO;

/**
 * One UDP listener of the proxy (a classic actor, as Pekko's UDP I/O speaks to classic
 * actors). It binds its address (retrying with back-off while it is taken) and keeps one
 * {@link UdpFlow} per client address: the first datagram of a client chooses a backend with
 * the {@link Balancer}, later ones follow it, and the flow's own upstream socket returns the
 * replies to that client from this listener's address. Flows end after an idle timeout, and
 * when their backend leaves the endpoints (as kube-proxy clears UDP conntrack entries of
 * removed endpoints), so the client's next datagram goes to a ready backend.
 */
final class UdpListener extends AbstractActorWithTimers {

  /** New backends or affinity for this listener. */
  record Update(ListenerSpec spec) {}

  /** Unbind now and stop. */
  enum Stop { INSTANCE }

  private enum Retry { INSTANCE }

  static Props props(ListenerSpec spec, ProxySettings settings) {
    return Props.create(UdpListener.class, () -> new UdpListener(spec, settings));
  }

  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
  private final ListenerKey key;
  private final ProxySettings settings;
  private final Balancer balancer;
  private final Map<InetSocketAddress, ActorRef> flows = new HashMap<>();
  private final Map<ActorRef, Backend> flowBackends = new HashMap<>();
  private ActorRef socket;
  private int failures;
  private int flowCount;

  private UdpListener(ListenerSpec spec, ProxySettings settings) {
    this.key = spec.key();
    this.settings = settings;
    this.balancer = new Balancer(spec);
  }

  @Override
  public void preStart() {
    bind();
  }

  private void bind() {
    Udp.get(getContext().getSystem()).getManager().tell(
        UdpMessage.bind(getSelf(), new InetSocketAddress(key.host(), key.port()), List.of(UdpSO.reuseAddress(true))),
        getSelf());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(Udp.Bound.class, m -> {
          socket = getSender();
          if (failures > 0) {
            log.info("Service proxy listens on {} after {} failed attempt(s)", key, failures);
          }
          failures = 0;
        })
        .match(Udp.CommandFailed.class, m -> m.cmd() instanceof Udp.Bind, m -> {
          failures++;
          if (failures == 1) {
            log.warning("Service proxy cannot listen on {} (the port is taken or the address is not local); retrying until it can", key);
          }
          timers().startSingleTimer(Retry.INSTANCE, Retry.INSTANCE, settings.bindRetry(failures));
        })
        .matchEquals(Retry.INSTANCE, m -> bind())
        .match(Udp.Received.class, this::received)
        .match(Update.class, this::update)
        .match(Terminated.class, m -> {
          Backend backend = flowBackends.remove(m.getActor());
          flows.values().remove(m.getActor());
          if (backend == null) {
            log.debug("{}: an unknown actor terminated", key);
          }
        })
        .matchEquals(Stop.INSTANCE, m -> {
          if (socket != null) {
            socket.tell(UdpMessage.unbind(), getSelf());
          }
          getContext().stop(getSelf());
        })
        .match(Udp.Unbound.class, m -> { })
        .build();
  }

  private void received(Udp.Received m) {
    InetSocketAddress client = m.sender();
    ActorRef flow = flows.get(client);
    if (flow == null) {
      if (flows.size() >= settings.udpMaxFlows()) {
        log.debug("{}: {} flows open; dropping a datagram of a new client {}", key, flows.size(), client);
        return;
      }
      String clientIp = client.getAddress().getHostAddress();
      List<Backend> candidates = balancer.candidates(clientIp, System.nanoTime(), 1);
      if (candidates.isEmpty()) {
        log.debug("{}: no ready endpoint; dropping a datagram from {}", key, client);
        return;
      }
      Backend backend = candidates.get(0);
      balancer.connected(clientIp, backend, System.nanoTime());
      flow = getContext().actorOf(UdpFlow.props(client, backend, socket, settings), "flow-" + (++flowCount));
      getContext().watch(flow);
      flows.put(client, flow);
      flowBackends.put(flow, backend);
    }
    flow.tell(new UdpFlow.Datagram(m.data()), getSelf());
  }

  private void update(Update m) {
    balancer.update(m.spec());
    List<Backend> ready = m.spec().backends();
    flowBackends.forEach((flow, backend) -> {
      if (!ready.contains(backend)) {
        getContext().stop(flow);
      }
    });
  }
}
