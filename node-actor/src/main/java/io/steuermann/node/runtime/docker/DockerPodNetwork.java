package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network;
import io.steuermann.engine.network.Ipv4Cidr;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's pod network on its Docker engine: a bridge network of Steuermann's own whose
 * subnet is the node's {@code spec.podCIDR} (gateway = its first address), so pod IPs are the
 * ones the control plane allocated to this node and are unique in the cluster. Docker's own
 * masquerade is off on it: traffic between pods of different machines keeps the pods'
 * addresses (the pod network masquerades only traffic that leaves the cluster CIDR).
 *
 * <p>Until {@link #ensure} has run, pods that need the network cannot start ({@link #mode}
 * throws): they would get a Docker default-bridge address no other machine can reach.
 */
final class DockerPodNetwork {
  private static final Logger log = LoggerFactory.getLogger(DockerPodNetwork.class);
  static final String CIDR_LABEL = "steuermann.io/pod-cidr";

  private final DockerClient docker;
  private final String node;
  private final String name;
  private volatile String cidr = "";
  private volatile String problem = "no pod CIDR is assigned to this node yet (Node.spec.podCIDR)";

  DockerPodNetwork(DockerClient docker, String node) {
    this.docker = docker;
    this.node = node;
    this.name = networkName(node);
  }

  /** {@code steuermann_<node>}, in the characters Docker allows in a network name. */
  static String networkName(String node) {
    return "steuermann_" + node.replaceAll("[^a-zA-Z0-9_.-]", "-");
  }

  /** The network mode of a pod sandbox that is not on the host network. */
  String mode() {
    if (cidr.isEmpty()) {
      throw new IllegalStateException("the pod network of node " + node + " is not ready: " + problem);
    }
    return name;
  }

  String name() {
    return name;
  }

  boolean ready() {
    return !cidr.isEmpty();
  }

  /** Why pods cannot get a network yet; empty once ready. */
  Optional<String> notReady() {
    return cidr.isEmpty() ? Optional.of(problem) : Optional.empty();
  }

  /**
   * Makes sure the network exists with subnet {@code podCidr} (blocking). A network of ours
   * with another subnet, or a leftover of another node on this engine whose subnet overlaps, is
   * removed when no container uses it; one still in use is a clash the node reports instead of
   * starting pods with clashing addresses.
   */
  synchronized void ensure(String podCidr) {
    Ipv4Cidr wanted = Ipv4Cidr.parse(podCidr);
    try {
      boolean present = false;
      List<Network> ours = docker.listNetworksCmd().withFilter("label", List.of(DockerLabels.NODE)).exec();
      for (Network n : ours) {
        Optional<Ipv4Cidr> subnet = subnet(n);
        boolean mine = name.equals(n.getName());
        if (mine && subnet.isPresent() && subnet.get().equals(wanted)) {
          present = true;
        } else if (mine || subnet.map(wanted::overlaps).orElse(false)) {
          removeUnused(n, wanted);
        }
      }
      if (!present) {
        docker.createNetworkCmd()
            .withName(name)
            .withDriver("bridge")
            .withCheckDuplicate(true)
            .withIpam(new Network.Ipam().withConfig(new Network.Ipam.Config()
                .withSubnet(wanted.toString()).withGateway(wanted.address(1))))
            .withOptions(Map.of("com.docker.network.bridge.enable_ip_masquerade", "false"))
            .withLabels(Map.of(DockerLabels.NODE, node, CIDR_LABEL, wanted.toString()))
            .exec();
        log.info("Node {}: made the pod network {} with subnet {}", node, name, wanted);
      }
      cidr = wanted.toString();
    } catch (RuntimeException e) {
      problem = "the pod network " + name + " (" + wanted + ") could not be set up: " + e.getMessage();
      throw e;
    }
  }

  private void removeUnused(Network n, Ipv4Cidr wanted) {
    Network inspected = docker.inspectNetworkCmd().withNetworkId(n.getId()).exec();
    if (inspected.getContainers() != null && !inspected.getContainers().isEmpty()) {
      throw new IllegalStateException("the Docker network " + n.getName() + " (" + subnet(n).map(Object::toString)
          .orElse("?") + ") still has containers and clashes with this node's pod CIDR " + wanted);
    }
    docker.removeNetworkCmd(n.getId()).exec();
    log.info("Node {}: removed the unused Docker network {} (its subnet clashed with {})", node, n.getName(), wanted);
  }

  private static Optional<Ipv4Cidr> subnet(Network n) {
    if (n.getIpam() == null || n.getIpam().getConfig() == null) {
      return Optional.empty();
    }
    for (Network.Ipam.Config c : n.getIpam().getConfig()) {
      if (c.getSubnet() != null) {
        try {
          return Optional.of(Ipv4Cidr.parse(c.getSubnet()));
        } catch (IllegalArgumentException e) {
          // an IPv6 subnet: not ours
        }
      }
    }
    return Optional.empty();
  }
}
