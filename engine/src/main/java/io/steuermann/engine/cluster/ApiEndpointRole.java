package io.steuermann.engine.cluster;

import java.util.Optional;

/**
 * Where a member serves the API, carried as a cluster role {@code api@<ip>:<port>} so that every
 * member learns every API server's address from the membership itself: no registry to keep, and
 * a member that leaves or is downed takes its address with it.
 */
public record ApiEndpointRole(String ip, int port) {
  public static final String PREFIX = "api@";

  public String role() {
    return PREFIX + ip + ":" + port;
  }

  public static Optional<ApiEndpointRole> parse(String role) {
    if (!role.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int colon = role.lastIndexOf(':');
    if (colon <= PREFIX.length()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new ApiEndpointRole(role.substring(PREFIX.length(), colon),
          Integer.parseInt(role.substring(colon + 1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
