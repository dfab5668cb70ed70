package io.steuermann.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.steuermann.engine.cluster.ApiEndpointRole;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The address other members and pods reach this member's API at, as kube-apiserver's
 * {@code --advertise-address}: the flag's value; else the bind address unless it is a wildcard;
 * else the member's cluster address. It becomes the member's {@link ApiEndpointRole}, which puts
 * it into the Endpoints of {@code default/kubernetes}.
 */
final class ApiAdvertisement {
  private ApiAdvertisement() {}

  static Optional<ApiEndpointRole> of(Config config) {
    int port = config.getInt("steuermann.api.port");
    if (port == 0) {
      return Optional.empty(); // a port picked at bind time cannot be announced in advance
    }
    String advertised = config.getString("steuermann.api.advertise-address").trim();
    if (advertised.isEmpty()) {
      String bind = config.getString("steuermann.api.bind-address").trim();
      advertised = bind.equals("0.0.0.0") || bind.equals("::") || bind.isEmpty()
          ? config.getString("pekko.remote.artery.canonical.hostname") : bind;
    }
    try {
      return Optional.of(new ApiEndpointRole(InetAddress.getByName(advertised).getHostAddress(), port));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("steuermann.api.advertise-address (--advertise-address): cannot resolve \""
          + advertised + "\"");
    }
  }

  /** {@code config} with this member's API role added to {@code pekko.cluster.roles}. */
  static Config withRole(Config config) {
    Optional<ApiEndpointRole> role = of(config);
    if (role.isEmpty()) {
      return config;
    }
    List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
    roles.add(role.get().role());
    return config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
  }
}
