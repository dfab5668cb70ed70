package io.steuermann.node.runtime.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.InternetProtocol;
import com.github.dockerjava.api.model.Ports;
import io.steuermann.engine.model.Json;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.ContainerRuntime.PublishedPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pod sandbox: a container of the sandbox image running {@code sleep}, which owns the
 * pod's network namespace and publishes the declared container ports on the node's address
 * (the spec's {@code hostPort}, else a free one Docker picks). The pod's containers join its
 * namespace ({@code container:<sandbox>}), so they reach each other on localhost. With
 * {@code hostNetwork: true} the sandbox and the containers use the host's network, and a
 * port is reachable at its containerPort.
 */
final class PodSandboxes {
  /** A sandbox as created or found: its container, the pod's IP, the published ports. */
  record Sandbox(String id, boolean hostNetwork, String podIp, List<PublishedPort> ports) {
    /** The network mode of the pod's containers. */
    String networkMode() {
      return hostNetwork ? "host" : "container:" + id;
    }
  }

  /** A declared port, as kept in the sandbox's label. */
  record DeclaredPort(String container, String name, int containerPort, String protocol, String hostIp,
      int hostPort) {}

  private final DockerClient docker;
  private final String node;
  private final String address;
  private final String image;
  /** The pod network's Docker network; throws while the node has none yet. */
  private final java.util.function.Supplier<String> podNetwork;

  PodSandboxes(DockerClient docker, String node, String address, String image,
      java.util.function.Supplier<String> podNetwork) {
    this.docker = docker;
    this.node = node;
    this.address = address;
    this.image = image;
    this.podNetwork = podNetwork;
  }

  /** Creates and starts the sandbox of a pod; throws when Docker refuses (a host port taken, ...). */
  Sandbox create(PodRef pod, JsonNode podSpec) {
    boolean hostNetwork = podSpec.path("hostNetwork").asBoolean(false);
    List<DeclaredPort> declared = declared(podSpec);
    HostConfig host = HostConfig.newHostConfig().withNetworkMode(hostNetwork ? "host" : podNetwork.get());
    List<com.github.dockerjava.api.model.Bind> volumes = DockerVolumes.sandboxBinds(node, pod, podSpec);
    if (!volumes.isEmpty()) {
      host.withBinds(volumes); // keeps the pod's tmpfs volumes mounted while its containers restart
    }
    List<ExposedPort> exposed = new ArrayList<>();
    if (!hostNetwork && !declared.isEmpty()) {
      Ports bindings = new Ports();
      for (DeclaredPort p : declared) {
        ExposedPort port = new ExposedPort(p.containerPort(), InternetProtocol.parse(p.protocol()));
        exposed.add(port);
        bindings.bind(port, p.hostPort() > 0 ? Ports.Binding.bindIpAndPort(p.hostIp(), p.hostPort())
            : Ports.Binding.bindIp(p.hostIp()));
      }
      host.withPortBindings(bindings);
    }
    var create = docker.createContainerCmd(image)
        .withName(DockerLabels.sandboxName(pod))
        .withLabels(DockerLabels.sandbox(node, pod, portsLabel(declared)))
        .withEntrypoint("/bin/busybox", "sleep", "2147483647")
        .withExposedPorts(exposed)
        .withHostConfig(host);
    if (!hostNetwork) {
      create.withHostName(io.steuermann.node.podenv.EtcHosts.hostname(pod.name(), podSpec));
    }
    String id = create.exec().getId();
    try {
      docker.startContainerCmd(id).exec();
      return describe(docker.inspectContainerCmd(id).exec());
    } catch (RuntimeException e) {
      removeQuietly(id);
      throw e;
    }
  }

  /** The sandbox as it is: its address and where its ports are published. */
  Sandbox describe(InspectContainerResponse inspect) {
    boolean hostNetwork = "host".equals(inspect.getHostConfig() == null ? null
        : inspect.getHostConfig().getNetworkMode());
    Map<String, String> labels = inspect.getConfig().getLabels();
    List<DeclaredPort> declared = parsePorts(labels == null ? "" : labels.getOrDefault(DockerLabels.PORTS, ""));
    List<PublishedPort> ports = new ArrayList<>();
    Map<ExposedPort, Ports.Binding[]> bindings = inspect.getNetworkSettings() == null
        || inspect.getNetworkSettings().getPorts() == null
        ? Map.of() : inspect.getNetworkSettings().getPorts().getBindings();
    for (DeclaredPort p : declared) {
      int hostPort = hostNetwork ? p.containerPort() : 0;
      String hostIp = hostNetwork ? address : p.hostIp();
      Ports.Binding[] bound = bindings.get(new ExposedPort(p.containerPort(), InternetProtocol.parse(p.protocol())));
      if (bound != null) {
        for (Ports.Binding b : bound) {
          if (b.getHostPortSpec() != null && !b.getHostPortSpec().isEmpty()) {
            hostPort = Integer.parseInt(b.getHostPortSpec());
            break;
          }
        }
      }
      if (hostPort > 0) {
        ports.add(new PublishedPort(p.container(), p.name(), p.containerPort(), p.protocol(), hostIp, hostPort));
      }
    }
    String podIp = hostNetwork ? address : ip(inspect);
    return new Sandbox(inspect.getId(), hostNetwork, podIp, ports);
  }

  private static String ip(InspectContainerResponse inspect) {
    var settings = inspect.getNetworkSettings();
    if (settings == null) {
      return "";
    }
    if (settings.getIpAddress() != null && !settings.getIpAddress().isEmpty()) {
      return settings.getIpAddress();
    }
    if (settings.getNetworks() != null) {
      for (var network : settings.getNetworks().values()) {
        if (network.getIpAddress() != null && !network.getIpAddress().isEmpty()) {
          return network.getIpAddress();
        }
      }
    }
    return "";
  }

  /** Every declared containerPort of the pod's containers, with the host address to publish on. */
  List<DeclaredPort> declared(JsonNode podSpec) {
    List<DeclaredPort> list = new ArrayList<>();
    for (JsonNode c : podSpec.path("containers")) {
      for (JsonNode p : c.path("ports")) {
        int containerPort = p.path("containerPort").asInt(0);
        if (containerPort <= 0) {
          continue;
        }
        String hostIp = p.path("hostIP").asText("");
        list.add(new DeclaredPort(c.path("name").asText(), p.path("name").asText(""), containerPort,
            p.path("protocol").asText("TCP").toUpperCase(java.util.Locale.ROOT),
            hostIp.isEmpty() ? address : hostIp, p.path("hostPort").asInt(0)));
      }
    }
    return list;
  }

  static String portsLabel(List<DeclaredPort> ports) {
    ArrayNode array = Json.object().arrayNode();
    for (DeclaredPort p : ports) {
      ObjectNode o = array.addObject();
      o.put("container", p.container()).put("name", p.name()).put("containerPort", p.containerPort())
          .put("protocol", p.protocol()).put("hostIP", p.hostIp()).put("hostPort", p.hostPort());
    }
    return array.toString();
  }

  static List<DeclaredPort> parsePorts(String label) {
    List<DeclaredPort> list = new ArrayList<>();
    if (label.isEmpty()) {
      return list;
    }
    try {
      for (JsonNode p : Json.parse(label)) {
        list.add(new DeclaredPort(p.path("container").asText(), p.path("name").asText(""),
            p.path("containerPort").asInt(), p.path("protocol").asText("TCP"), p.path("hostIP").asText(""),
            p.path("hostPort").asInt(0)));
      }
    } catch (IOException e) {
      // a label we did not write: no ports to report
    }
    return list;
  }

  void removeQuietly(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).exec();
    } catch (RuntimeException e) {
      // gone already
    }
  }
}
