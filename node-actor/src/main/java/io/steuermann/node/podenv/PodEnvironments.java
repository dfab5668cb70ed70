package io.steuermann.node.podenv;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.network.ClusterNetwork;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import java.util.ArrayList;
import java.util.List;

/** Computes a pod's {@link PodEnvironment} from the local watch cache at the moment it starts. */
public final class PodEnvironments {
  private final WatchCache cache;
  private final ClusterNetwork network;

  public PodEnvironments(WatchCache cache, ClusterNetwork network) {
    this.cache = cache;
    this.network = network;
  }

  public PodEnvironment of(String namespace, String podName, JsonNode podSpec) {
    boolean links = podSpec.path("enableServiceLinks").asBoolean(true);
    List<JsonNode> services = new ArrayList<>();
    if (links) {
      services.addAll(cache.list(WatchFilter.of(Kind.SERVICE, namespace)).items());
      if (namespace.equals("default")) {
        services.removeIf(s -> s.path("metadata").path("name").asText().equals("kubernetes"));
      }
    }
    JsonNode kubernetes = cache.get(ObjectKey.of(Kind.SERVICE, "default", "kubernetes"));
    return new PodEnvironment(ResolvConf.render(podSpec, namespace, network),
        EtcHosts.of(podName, namespace, podSpec, network),
        ServiceEnvironment.variables(services, kubernetes, links));
  }
}
