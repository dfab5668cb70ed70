package io.steuermann.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.steuermann.engine.Engine;
import io.steuermann.node.runtime.docker.DockerRuntime;
import io.steuermann.node.runtime.docker.DockerSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which container runtime this process's node uses ({@code steuermann.node.runtime}):
 * {@code docker} (one node, named {@code steuermann.node.name}, running real containers),
 * {@code hollow} ({@code hollow-nodes} simulated nodes; {@code hollow-nodes > 0} implies it) or
 * {@code none}. The server connects it before anything else starts, so a missing Docker
 * engine stops it at once with a message that says so — there is no silent fallback.
 */
public final class NodeRuntimes {
  private static final Logger log = LoggerFactory.getLogger(NodeRuntimes.class);

  /** The runtime kinds. */
  public enum Kind { DOCKER, HOLLOW, NONE }

  /** The configured runtime cannot be used; the message says why and what to do. */
  public static final class Unavailable extends Exception {
    public Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final Kind kind;
  private final NodeSettings settings;
  private final String nodeName;
  private final DockerRuntime docker;

  private NodeRuntimes(Kind kind, NodeSettings settings, String nodeName, DockerRuntime docker) {
    this.kind = kind;
    this.settings = settings;
    this.nodeName = nodeName;
    this.docker = docker;
  }

  /** Reads {@code steuermann.node} and, for Docker, connects to the engine (blocking). */
  public static NodeRuntimes connect(Config node) throws Unavailable {
    NodeSettings settings = NodeSettings.fromConfig(node);
    Kind kind = kind(node.getString("runtime"), settings.hollowNodes());
    if (kind == Kind.HOLLOW && settings.hollowNodes() <= 0) {
      // --runtime hollow alone: one simulated node
      settings = NodeSettings.fromConfig(node.withValue("hollow-nodes", ConfigValueFactory.fromAnyRef(1)));
    }
    String name = nodeName(node.getString("name"));
    String address = node.getString("address");
    if (kind != Kind.DOCKER) {
      log.info("Container runtime: {}", kind == Kind.HOLLOW
          ? settings.hollowNodes() + " hollow (simulated) nodes" : "none (this process runs no node)");
      return new NodeRuntimes(kind, settings, name, null);
    }
    try {
      DockerRuntime runtime = DockerRuntime.connect(DockerSettings.fromConfig(node.getConfig("docker")), name, address);
      log.info("Container runtime: docker, node {} at {}", name, address);
      return new NodeRuntimes(kind, settings, name, runtime);
    } catch (DockerRuntime.Unavailable e) {
      throw new Unavailable("the container runtime is docker (steuermann.node.runtime, --runtime), but "
          + e.getMessage(), e);
    }
  }

  static Kind kind(String runtime, int hollowNodes) throws Unavailable {
    if (hollowNodes > 0) {
      return Kind.HOLLOW;
    }
    return switch (runtime) {
      case "docker" -> Kind.DOCKER;
      case "hollow" -> Kind.HOLLOW;
      case "none" -> Kind.NONE;
      default -> throw new Unavailable("steuermann.node.runtime (--runtime) must be docker, hollow or none, not \""
          + runtime + "\"", null);
    };
  }

  /** The configured name, or this machine's host name. */
  static String nodeName(String configured) {
    if (!configured.isEmpty()) {
      return configured;
    }
    try {
      return InetAddress.getLocalHost().getHostName().toLowerCase(java.util.Locale.ROOT);
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public Kind kind() {
    return kind;
  }

  /** The Docker runtime, when that is the kind. */
  public Optional<DockerRuntime> docker() {
    return Optional.ofNullable(docker);
  }

  /** Starts the node agents on the runtime (after {@code Engine.start}). */
  public NodeAgents start(ActorSystem<?> system, Engine engine) {
    return switch (kind) {
      case DOCKER -> {
        system.getWhenTerminated().thenRun(docker::close);
        yield NodeAgents.start(system, engine, settings, Map.of(nodeName, docker));
      }
      case HOLLOW -> NodeAgents.start(system, engine, settings);
      case NONE -> NodeAgents.start(system, engine, settings, Map.of());
    };
  }
}
