package io.steuermann.node.proxy;

import java.net.InetSocketAddress;

/** One ready endpoint of a Service port: a pod's IP and the port its container serves on. */
public record Backend(String ip, int port) {

  public InetSocketAddress address() {
    return new InetSocketAddress(ip, port);
  }

  @Override
  public String toString() {
    return ip + ":" + port;
  }
}
