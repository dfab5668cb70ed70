package io.steuermann.node.proxy;

import java.util.Locale;

/**
 * How Service traffic is forwarded on this machine ({@code steuermann.proxy.mode}): by the
 * kernel (iptables DNAT rules, kube-proxy's iptables mode), by the user-space proxy, or auto:
 * the kernel when {@code iptables-restore} works here (root), else user space with a warning.
 */
public enum ProxyMode {
  AUTO, IPTABLES, USERSPACE;

  public static ProxyMode parse(String value) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("steuermann.proxy.mode must be auto, iptables or userspace, not '" + value + "'");
    }
  }
}
