package io.steuermann.engine.services;

/** IPv4 addresses as numbers (0 to 2^32-1), -1 for what is not a dotted-quad IPv4 address. */
public final class ServiceAddresses {
  private ServiceAddresses() {}

  public static long parseIpv4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return -1;
    }
    long ip = 0;
    for (String part : parts) {
      // as Go's net.ParseIP: decimal, 1-3 digits, no leading zeros
      if (part.isEmpty() || part.length() > 3 || (part.length() > 1 && part.charAt(0) == '0')) {
        return -1;
      }
      for (int i = 0; i < part.length(); i++) {
        if (!Character.isDigit(part.charAt(i)) || part.charAt(i) > '9') {
          return -1;
        }
      }
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        return -1;
      }
      ip = (ip << 8) | octet;
    }
    return ip;
  }

  public static String formatIpv4(long ip) {
    return ((ip >> 24) & 0xff) + "." + ((ip >> 16) & 0xff) + "." + ((ip >> 8) & 0xff) + "." + (ip & 0xff);
  }
}
