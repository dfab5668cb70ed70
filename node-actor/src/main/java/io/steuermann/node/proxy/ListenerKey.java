package io.steuermann.node.proxy;

/** Where the proxy listens: protocol, local address and port (a clusterIP:port or node-address:nodePort). */
public record ListenerKey(Protocol protocol, String host, int port) {

  public enum Protocol { TCP, UDP }

  @Override
  public String toString() {
    return protocol + " " + host + ":" + port;
  }
}
