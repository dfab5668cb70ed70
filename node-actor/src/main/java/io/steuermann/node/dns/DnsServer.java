package io.steuermann.node.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;

/**
 * The cluster DNS's sockets: UDP (a few threads blocking in receive on one socket, each
 * answering from the current index snapshot and sending at once, so a hit costs no thread
 * hand-off) and TCP (RFC 7766: length-prefixed messages, several per connection, one thread per
 * connection up to a bound, idle connections closed). A UDP answer is cut to 512 bytes, or to
 * the client's EDNS size up to {@code max-udp-payload}, with TC set when cut; the client then
 * asks over TCP, where answers go whole.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DnsServer.class);

  private final DnsSettings settings;
  private final Supplier<DnsIndex> index;
  private final Optional<DnsForwarder> forwarder;
  private final DatagramChannel udp;
  private final ServerSocket tcp;
  private final ThreadPoolExecutor connections;
  private final List<Thread> threads = new ArrayList<>();
  // a thread blocked in a socket read is not interrupted by shutdownNow: close() closes these
  private final java.util.Set<Socket> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private DnsServer(DnsSettings settings, Supplier<DnsIndex> index, Optional<DnsForwarder> forwarder,
      DatagramChannel udp, ServerSocket tcp) {
    this.settings = settings;
    this.index = index;
    this.forwarder = forwarder;
    this.udp = udp;
    this.tcp = tcp;
    this.connections = new ThreadPoolExecutor(0, settings.tcpConnections(), 30, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> daemon(r, "dns-tcp-connection"));
  }

  /** Binds UDP and TCP on {@code address} and starts answering from {@code index}'s snapshots. */
  public static DnsServer start(InetSocketAddress address, DnsSettings settings, Supplier<DnsIndex> index)
      throws IOException {
    DatagramChannel udp = DatagramChannel.open();
    ServerSocket tcp = null;
    try {
      udp.bind(address);
      // the same port for TCP (a test may ask for port 0: TCP takes the port UDP was given)
      InetSocketAddress bound = (InetSocketAddress) udp.getLocalAddress();
      tcp = new ServerSocket();
      tcp.setReuseAddress(true);
      tcp.bind(bound, 128);
      List<InetSocketAddress> upstreams = settings.forwarders(bound);
      Optional<DnsForwarder> forwarder = upstreams.isEmpty() ? Optional.empty()
          : Optional.of(new DnsForwarder(upstreams, settings.forwardTimeout()));
      DnsServer server = new DnsServer(settings, index, forwarder, udp, tcp);
      server.run();
      return server;
    } catch (IOException | RuntimeException e) {
      udp.close();
      if (tcp != null) {
        tcp.close();
      }
      throw e;
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) tcp.getLocalSocketAddress();
  }

  public List<InetSocketAddress> forwarders() {
    return forwarder.map(DnsForwarder::upstreams).orElse(List.of());
  }

  private void run() {
    for (int i = 0; i < Math.max(1, settings.udpThreads()); i++) {
      threads.add(daemon(this::serveUdp, "dns-udp-" + i));
    }
    threads.add(daemon(this::acceptTcp, "dns-tcp-accept"));
    threads.forEach(Thread::start);
  }

  private static Thread daemon(Runnable body, String name) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    return thread;
  }

  // ------------------------------------------------------------------ UDP

  private void serveUdp() {
    ByteBuffer in = ByteBuffer.allocate(65535);
    while (!closed) {
      try {
        in.clear();
        InetSocketAddress client = (InetSocketAddress) udp.receive(in);
        in.flip();
        byte[] request = new byte[in.remaining()];
        in.get(request);
        answerUdp(request, client);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        if (!closed) {
          log.debug("Cluster DNS: a UDP query failed: {}", e.toString());
        }
      }
    }
  }

  private void answerUdp(byte[] request, InetSocketAddress client) throws IOException {
    if (request.length < 12) {
      return; // not even a header: nothing to answer to
    }
    Message query;
    try {
      query = new Message(request);
    } catch (IOException e) {
      udp.send(ByteBuffer.wrap(DnsAnswers.formatError(request)), client);
      return;
    }
    OPTRecord opt = query.getOPT();
    // RFC 6891: a client's size below 512 counts as 512
    int limit = opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), settings.maxUdpPayload()));
    DnsAnswers.Reply reply = DnsAnswers.reply(query, index.get(), forwarder.isPresent(), settings.maxUdpPayload());
    if (reply instanceof DnsAnswers.Answer answer) {
      udp.send(ByteBuffer.wrap(answer.message().toWire(limit)), client);
    } else if (reply instanceof DnsAnswers.Forward forward) {
      forwarder.orElseThrow().forward(forward.query(), settings.maxUdpPayload()).thenAccept(response -> {
        try {
          udp.send(ByteBuffer.wrap(response.toWire(limit)), client);
        } catch (IOException e) {
          log.debug("Cluster DNS: a forwarded answer could not be sent: {}", e.toString());
        }
      });
    }
  }

  // ------------------------------------------------------------------ TCP

  private void acceptTcp() {
    while (!closed) {
      try {
        Socket socket = tcp.accept();
        try {
          connections.execute(() -> serveTcp(socket));
        } catch (java.util.concurrent.RejectedExecutionException e) {
          socket.close(); // as many connections as allowed are open: this one is refused
        }
      } catch (IOException e) {
        if (!closed) {
          log.debug("Cluster DNS: accept failed: {}", e.toString());
        }
      }
    }
  }

  private void serveTcp(Socket socket) {
    open.add(socket);
    try (socket) {
      if (closed) {
        return;
      }
      socket.setSoTimeout((int) settings.tcpIdleTimeout().toMillis());
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(socket.getInputStream()));
      DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(socket.getOutputStream()));
      while (!closed) {
        int length;
        try {
          length = in.readUnsignedShort();
        } catch (EOFException | SocketTimeoutException e) {
          return; // the client is done, or idle too long
        }
        byte[] request = new byte[length];
        in.readFully(request);
        byte[] response = answerTcp(request);
        if (response == null) {
          return;
        }
        out.writeShort(response.length);
        out.write(response);
        out.flush();
      }
    } catch (SocketException | EOFException e) {
      // the client went away mid-message
    } catch (IOException | RuntimeException e) {
      log.debug("Cluster DNS: a TCP connection failed: {}", e.toString());
    } finally {
      open.remove(socket);
    }
  }

  private byte[] answerTcp(byte[] request) {
    if (request.length < 12) {
      return null;
    }
    Message query;
    try {
      query = new Message(request);
    } catch (IOException e) {
      return DnsAnswers.formatError(request);
    }
    DnsAnswers.Reply reply = DnsAnswers.reply(query, index.get(), forwarder.isPresent(), settings.maxUdpPayload());
    if (reply instanceof DnsAnswers.Forward forward) {
      try {
        return forwarder.orElseThrow().forward(forward.query(), settings.maxUdpPayload())
            .toCompletableFuture().get(settings.forwardTimeout().toMillis() * 3, TimeUnit.MILLISECONDS).toWire(65535);
      } catch (Exception e) {
        return DnsAnswers.error(query, org.xbill.DNS.Rcode.SERVFAIL, settings.maxUdpPayload()).toWire(65535);
      }
    }
    return ((DnsAnswers.Answer) reply).message().toWire(65535);
  }

  @Override
  public void close() {
    closed = true;
    try {
      udp.close();
    } catch (IOException e) {
      // closing anyway
    }
    try {
      tcp.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket socket : open) {
      try {
        socket.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
    connections.shutdownNow();
  }
}
