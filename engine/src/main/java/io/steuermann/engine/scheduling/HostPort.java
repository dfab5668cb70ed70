package io.steuermann.engine.scheduling;

/**
 * A port a pod claims on its node's network ({@code containers[].ports[].hostPort}). Two pods
 * conflict when they claim the same protocol and port. Kubernetes also compares the host IP
 * (two pods may share a port on different node addresses); we treat every host port as bound on
 * all addresses, which is stricter but never places two pods that would clash.
 */
public record HostPort(String protocol, int port) {
  public HostPort {
    protocol = protocol == null || protocol.isEmpty() ? "TCP" : protocol;
  }

  @Override
  public String toString() {
    return protocol + "/" + port;
  }
}
