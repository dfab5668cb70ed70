package io.steuermann.node.proxy;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Queue;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.ReceiveTimeout;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.io.Udp;
import org.apache.pekko.io.UdpConnected;
import org.apache.pekko.io.UdpConnectedMessage;
import org.apache.pekko.io.UdpMessage;
import org.apache.pekko.util.ByteString;

/**
 * One client's UDP flow through a {@link UdpListener}: its own socket connected to the chosen
 * backend (so only that backend's replies arrive on it), whose replies go back to the client
 * through the listener's socket, i.e. from the address the client sent to. It ends after
 * {@code udp-idle-timeout} without a datagram either way, or when its socket fails.
 */
final class UdpFlow extends AbstractActor {

  /** A datagram from the client, to forward. */
  record Datagram(ByteString data) {}

  static Props props(InetSocketAddress client, Backend backend, ActorRef listenerSocket, ProxySettings settings) {
    return Props.create(UdpFlow.class, () -> new UdpFlow(client, backend, listenerSocket, settings));
  }

  private final InetSocketAddress client;
  private final Backend backend;
  private final ActorRef listenerSocket;
  private final ProxySettings settings;
  private final Queue<ByteString> pending = new ArrayDeque<>();
  private ActorRef connection;

  private UdpFlow(InetSocketAddress client, Backend backend, ActorRef listenerSocket, ProxySettings settings) {
    this.client = client;
    this.backend = backend;
    this.listenerSocket = listenerSocket;
    this.settings = settings;
  }

  @Override
  public void preStart() {
    getContext().setReceiveTimeout(settings.udpIdleTimeout());
    UdpConnected.get(getContext().getSystem()).getManager()
        .tell(UdpConnectedMessage.connect(getSelf(), backend.address()), getSelf());
  }

  @Override
  public void postStop() {
    if (connection != null) {
      connection.tell(UdpConnectedMessage.disconnect(), ActorRef.noSender());
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(UdpConnected.Connected.class, m -> {
          connection = getSender();
          getContext().watch(connection);
          pending.forEach(data -> connection.tell(UdpConnectedMessage.send(data), getSelf()));
          pending.clear();
        })
        .match(Datagram.class, m -> {
          if (connection != null) {
            connection.tell(UdpConnectedMessage.send(m.data()), getSelf());
          } else if (pending.size() < settings.udpPendingDatagrams()) {
            pending.add(m.data());
          }
        })
        .match(UdpConnected.Received.class, m -> listenerSocket.tell(UdpMessage.send(m.data(), client), getSelf()))
        .match(UdpConnected.CommandFailed.class, m -> m.cmd() instanceof UdpConnected.Connect,
            m -> getContext().stop(getSelf()))
        // a send refused while the socket was busy: UDP may drop, and so do we
        .match(UdpConnected.CommandFailed.class, m -> { })
        .match(Udp.CommandFailed.class, m -> { })
        .match(Terminated.class, m -> getContext().stop(getSelf()))
        .match(UdpConnected.Disconnected.class, m -> getContext().stop(getSelf()))
        .matchEquals(ReceiveTimeout.getInstance(), m -> getContext().stop(getSelf()))
        .build();
  }
}
