package io.steuermann.engine.network;

import io.steuermann.engine.services.ServiceAddresses;

/** An IPv4 block such as 10.244.3.0/24 (the network address kept, host bits cleared). */
public record Ipv4Cidr(long network, int prefixLength) {
  public Ipv4Cidr {
    if (prefixLength < 0 || prefixLength > 32) {
      throw new IllegalArgumentException("an IPv4 prefix length is 0..32, not " + prefixLength);
    }
    network = network & mask(prefixLength);
  }

  /** Parses {@code a.b.c.d/n}; throws {@link IllegalArgumentException} naming the text. */
  public static Ipv4Cidr parse(String text) {
    int slash = text.indexOf('/');
    long ip = slash < 0 ? -1 : ServiceAddresses.parseIpv4(text.substring(0, slash).trim());
    if (ip < 0) {
      throw new IllegalArgumentException("not an IPv4 CIDR block: \"" + text + "\"");
    }
    try {
      return new Ipv4Cidr(ip, Integer.parseInt(text.substring(slash + 1).trim()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an IPv4 CIDR block: \"" + text + "\"");
    }
  }

  public boolean contains(String ip) {
    long address = ServiceAddresses.parseIpv4(ip);
    return address >= 0 && (address & mask(prefixLength)) == network;
  }

  public boolean overlaps(Ipv4Cidr other) {
    int shorter = Math.min(prefixLength, other.prefixLength);
    return (network & mask(shorter)) == (other.network & mask(shorter));
  }

  /** The block's {@code n}-th address (1 = the first after the network address). */
  public String address(long n) {
    return ServiceAddresses.formatIpv4(network + n);
  }

  /** Inside 127.0.0.0/8, where every address is local already. */
  public boolean loopback() {
    return (network >>> 24) == 127 && prefixLength >= 8;
  }

  @Override
  public String toString() {
    return ServiceAddresses.formatIpv4(network) + "/" + prefixLength;
  }

  private static long mask(int prefixLength) {
    return prefixLength == 0 ? 0 : (0xFFFFFFFFL << (32 - prefixLength)) & 0xFFFFFFFFL;
  }
}
