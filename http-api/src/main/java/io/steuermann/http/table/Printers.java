package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Column definitions and row cells per kind, following kube-apiserver's printers
 * (pkg/printers/internalversion/printers.go). The server always produces the wide columns
 * (priority 1); kubectl drops them unless {@code -o wide}.
 *
 * <p>Where the apiserver would have defaulted a field on create (pod phase Pending, namespace
 * phase Active, service type ClusterIP, port protocol TCP, replicas 1) an absent field prints as
 * that default, so our output matches what Kubernetes prints for the same manifest.
 */
final class Printers {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";

  private Printers() {}

  record Column(String name, String type, String format, int priority, String description) {
    ObjectNode toJson() {
      ObjectNode c = F.objectNode();
      c.put("name", name);
      c.put("type", type);
      c.put("format", format);
      c.put("description", description);
      c.put("priority", priority);
      return c;
    }
  }

  private static Column name() {
    return new Column("Name", "string", "name", 0, D_NAME);
  }

  private static Column age() {
    return new Column("Age", "string", "", 0, D_AGE);
  }

  private static Column col(String name, String type, int priority, String description) {
    return new Column(name, type, "", priority, description);
  }

  static List<Column> columns(Kind kind) {
    return switch (kind) {
      case NAMESPACE -> List.of(name(),
          col("Status", "string", 0, "The status of the namespace"),
          age());
      case NODE -> List.of(name(),
          col("Status", "string", 0, "The status of the node"),
          col("Roles", "string", 0, "The roles of the node"),
          age(),
          col("Version", "string", 0, "Kubelet Version reported by the node."),
          col("Internal-IP", "string", 1, "List of addresses reachable to the node. Queried from cloud provider, if available."),
          col("External-IP", "string", 1, "List of addresses reachable to the node. Queried from cloud provider, if available."),
          col("OS-Image", "string", 1, "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy))."),
          col("Kernel-Version", "string", 1, "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64)."),
          col("Container-Runtime", "string", 1, "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2)."));
      case POD -> List.of(name(),
          col("Ready", "string", 0, "The aggregate readiness state of this pod for accepting traffic."),
          col("Status", "string", 0, "The aggregate status of the containers in this pod."),
          col("Restarts", "string", 0, "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted."),
          age(),
          col("IP", "string", 1, "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
          col("Node", "string", 1, "NodeName indicates in which node this pod is scheduled."),
          col("Nominated Node", "string", 1, "nominatedNodeName is set only when this pod preempts other pods on the node."),
          col("Readiness Gates", "string", 1, "If specified, all readiness gates will be evaluated for pod readiness."));
      case SERVICE -> List.of(name(),
          col("Type", "string", 0, "type determines how the Service is exposed."),
          col("Cluster-IP", "string", 0, "clusterIP is the IP address of the service and is usually assigned randomly."),
          col("External-IP", "string", 0, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
          col("Port(s)", "string", 0, "The list of ports that are exposed by this service."),
          age(),
          col("Selector", "string", 1, "Route service traffic to pods with label keys and values matching this selector."));
      case ENDPOINTS -> List.of(name(),
          col("Endpoints", "string", 0, "Endpoints is the list of endpoints this resource exposes."),
          age());
      case EVENT -> List.of(
          col("Last Seen", "string", 0, "The time at which the most recent occurrence of this event was recorded."),
          col("Type", "string", 0, "Type of this event (Normal, Warning), new types could be added in the future"),
          col("Reason", "string", 0, "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
          col("Object", "string", 0, "The object that this event is about."),
          col("Subobject", "string", 1, "If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement."),
          col("Source", "string", 1, "The component reporting this event."),
          col("Message", "string", 0, "A human-readable description of the status of this operation."),
          col("First Seen", "string", 1, "The time at which the event was first recorded."),
          col("Count", "string", 1, "The number of times this event has occurred."),
          new Column("Name", "string", "name", 1, D_NAME));
      case CONFIG_MAP -> List.of(name(),
          col("Data", "string", 0, "Data contains the configuration data."),
          age());
      // kube's printLimitRange: the creation time itself, not an age
      case LIMIT_RANGE -> List.of(name(), col("Created At", "date", 0,
          "CreationTimestamp is a timestamp representing the server time when this object was created."));
      case SECRET -> List.of(name(),
          col("Type", "string", 0, "Used to facilitate programmatic handling of secret data."),
          col("Data", "string", 0, "Data contains the secret data."),
          age());
      case REPLICA_SET -> List.of(name(),
          col("Desired", "integer", 0, "Replicas is the number of desired replicas."),
          col("Current", "integer", 0, "Replicas is the most recently observed number of replicas."),
          col("Ready", "integer", 0, "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."),
          age(),
          col("Containers", "string", 1, "Names of each container in the template."),
          col("Images", "string", 1, "Images referenced by each container in the template."),
          col("Selector", "string", 1, "Selector is a label query over pods that should match the replica count."));
      case REPLICATION_CONTROLLER -> List.of(name(),
          col("Desired", "integer", 0, "Replicas is the number of desired replicas. This is a pointer to distinguish "
              + "between explicit zero and unspecified. Defaults to 1. More info: "
              + "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
          col("Current", "integer", 0, "Replicas is the most recently observed number of replicas. More info: "
              + "https://kubernetes.io/docs/concepts/workloads/controllers/replicationcontroller#what-is-a-replicationcontroller"),
          col("Ready", "integer", 0, "The number of ready replicas for this replication controller."),
          age(),
          col("Containers", "string", 1, "Names of each container in the template."),
          col("Images", "string", 1, "Images referenced by each container in the template."),
          col("Selector", "string", 1, "Selector is a label query over pods that should match the Replicas count. If "
              + "Selector is empty, it is defaulted to the labels present on the Pod template. Label keys and values that "
              + "must match in order to be controlled by this replication controller, if empty defaulted to labels on Pod "
              + "template. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"));
      case DAEMON_SET -> List.of(name(),
          col("Desired", "integer", 0, "The total number of nodes that should be running the daemon pod (including nodes "
              + "correctly running the daemon pod). More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
          col("Current", "integer", 0, "The number of nodes that are running at least 1 daemon pod and are supposed to run "
              + "the daemon pod. More info: https://kubernetes.io/docs/concepts/workloads/controllers/daemonset/"),
          col("Ready", "integer", 0, "numberReady is the number of nodes that should be running the daemon pod and have one "
              + "or more of the daemon pod running with a Ready Condition."),
          col("Up-to-date", "integer", 0, "The total number of nodes that are running updated daemon pod"),
          col("Available", "integer", 0, "The number of nodes that should be running the daemon pod and have one or more of "
              + "the daemon pod running and available (ready for at least spec.minReadySeconds)"),
          col("Node Selector", "string", 0, "NodeSelector is a selector which must be true for the pod to fit on a node. "
              + "Selector which must match a node's labels for the pod to be scheduled on that node. More info: "
              + "https://kubernetes.io/docs/concepts/configuration/assign-pod-node/"),
          age(),
          col("Containers", "string", 1, "Names of each container in the template."),
          col("Images", "string", 1, "Images referenced by each container in the template."),
          col("Selector", "string", 1, "A label query over pods that are managed by the daemon set. Must match in order to "
              + "be controlled. It must match the pod template's labels. More info: "
              + "https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors"));
      case STATEFUL_SET -> List.of(name(),
          col("Ready", "string", 0, "Number of the pod with ready state"),
          age(),
          col("Containers", "string", 1, "Names of each container in the template."),
          col("Images", "string", 1, "Images referenced by each container in the template."));
      case CONTROLLER_REVISION -> List.of(name(),
          col("Controller", "string", 0, "Controller of the object"),
          col("Revision", "string", 0, "Revision indicates the revision of the state represented by Data."),
          age());
      case DEPLOYMENT -> List.of(name(),
          col("Ready", "string", 0, "Number of the pod with ready state"),
          col("Up-to-date", "string", 0, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
          col("Available", "string", 0, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
          age(),
          col("Containers", "string", 1, "Names of each container in the template."),
          col("Images", "string", 1, "Images referenced by each container in the template."),
          col("Selector", "string", 1, "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment."));
      case JOB -> BatchPrinters.jobColumns();
      case CRON_JOB -> BatchPrinters.cronJobColumns();
      case POD_DISRUPTION_BUDGET -> PolicyPrinters.disruptionBudgetColumns();
      case HORIZONTAL_POD_AUTOSCALER -> AutoscalingPrinters.autoscalerColumns();
      case PERSISTENT_VOLUME -> StoragePrinters.persistentVolumeColumns();
      case PERSISTENT_VOLUME_CLAIM -> StoragePrinters.persistentVolumeClaimColumns();
      case STORAGE_CLASS -> StoragePrinters.storageClassColumns();
      case RESOURCE_QUOTA -> QuotaPrinters.resourceQuotaColumns();
      case SERVICE_ACCOUNT -> RbacPrinters.serviceAccountColumns();
      case ROLE, CLUSTER_ROLE -> RbacPrinters.roleColumns();
      case ROLE_BINDING -> RbacPrinters.bindingColumns("roleBinding");
      case CLUSTER_ROLE_BINDING -> RbacPrinters.bindingColumns("clusterRoleBinding");
      case INGRESS -> NetworkingPrinters.ingressColumns();
      case INGRESS_CLASS -> NetworkingPrinters.ingressClassColumns();
      case ENDPOINT_SLICE -> DiscoveryPrinters.endpointSliceColumns();
    };
  }

  /** The cells of one row; always as many as {@link #columns(Kind)}. */
  static ArrayNode cells(Kind kind, JsonNode obj, Instant now) {
    ArrayNode c = F.arrayNode();
    JsonNode meta = obj.path("metadata");
    String name = meta.path("name").asText("");
    String age = since(meta.path("creationTimestamp").asText(""), now);
    JsonNode spec = obj.path("spec");
    JsonNode status = obj.path("status");
    switch (kind) {
      case NAMESPACE -> c.add(name).add(or(status.path("phase").asText(""), "Active")).add(age);
      case NODE -> node(c, name, age, spec, status, meta);
      case POD -> pod(c, name, age, obj, now);
      case SERVICE -> service(c, name, age, spec, status);
      case ENDPOINTS -> c.add(name).add(endpoints(obj.path("subsets"))).add(age);
      case EVENT -> event(c, obj, now);
      case CONFIG_MAP -> c.add(name).add(obj.path("data").size() + obj.path("binaryData").size()).add(age);
      case LIMIT_RANGE -> c.add(name).add(obj.path("metadata").path("creationTimestamp").asText(""));
      case SECRET -> c.add(name).add(or(obj.path("type").asText(""), "Opaque")).add(obj.path("data").size()).add(age);
      case REPLICA_SET -> {
        c.add(name)
            .add(spec.path("replicas").asInt(1))
            .add(status.path("replicas").asInt(0))
            .add(status.path("readyReplicas").asInt(0))
            .add(age);
        containers(c, spec.path("template").path("spec").path("containers"));
        c.add(formatLabelSelector(spec.get("selector")));
      }
      case REPLICATION_CONTROLLER -> {
        c.add(name)
            .add(spec.path("replicas").asInt(1))
            .add(status.path("replicas").asInt(0))
            .add(status.path("readyReplicas").asInt(0))
            .add(age);
        containers(c, spec.path("template").path("spec").path("containers"));
        c.add(formatLabels(spec.path("selector")));
      }
      case DAEMON_SET -> {
        c.add(name)
            .add(status.path("desiredNumberScheduled").asInt(0))
            .add(status.path("currentNumberScheduled").asInt(0))
            .add(status.path("numberReady").asInt(0))
            .add(status.path("updatedNumberScheduled").asInt(0))
            .add(status.path("numberAvailable").asInt(0))
            .add(formatLabels(spec.path("template").path("spec").path("nodeSelector")))
            .add(age);
        containers(c, spec.path("template").path("spec").path("containers"));
        c.add(formatLabelSelector(spec.get("selector")));
      }
      case STATEFUL_SET -> {
        c.add(name)
            .add(status.path("readyReplicas").asInt(0) + "/" + spec.path("replicas").asInt(1))
            .add(age);
        containers(c, spec.path("template").path("spec").path("containers"));
      }
      case CONTROLLER_REVISION -> c.add(name).add(controllerOf(meta))
          .add(obj.path("revision").isIntegralNumber() ? obj.get("revision").deepCopy() : F.numberNode(0)).add(age);
      case DEPLOYMENT -> {
        c.add(name)
            .add(status.path("readyReplicas").asInt(0) + "/" + spec.path("replicas").asInt(1))
            .add(status.path("updatedReplicas").asInt(0))
            .add(status.path("availableReplicas").asInt(0))
            .add(age);
        containers(c, spec.path("template").path("spec").path("containers"));
        c.add(selectorString(spec.get("selector")));
      }
      case JOB -> BatchPrinters.job(c, name, age, obj, now);
      case CRON_JOB -> BatchPrinters.cronJob(c, name, age, obj, now);
      case POD_DISRUPTION_BUDGET -> PolicyPrinters.disruptionBudget(c, name, age, obj);
      case HORIZONTAL_POD_AUTOSCALER -> AutoscalingPrinters.autoscaler(c, name, age, obj);
      case PERSISTENT_VOLUME -> StoragePrinters.persistentVolume(c, name, age, obj);
      case PERSISTENT_VOLUME_CLAIM -> StoragePrinters.persistentVolumeClaim(c, name, age, obj);
      case STORAGE_CLASS -> StoragePrinters.storageClass(c, name, age, obj);
      case RESOURCE_QUOTA -> QuotaPrinters.resourceQuota(c, name, age, obj);
      case SERVICE_ACCOUNT -> RbacPrinters.serviceAccount(c, name, age, obj);
      case ROLE, CLUSTER_ROLE -> RbacPrinters.role(c, name, obj);
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> RbacPrinters.binding(c, name, age, obj);
      case INGRESS -> NetworkingPrinters.ingress(c, name, age, obj);
      case INGRESS_CLASS -> NetworkingPrinters.ingressClass(c, name, age, obj);
      case ENDPOINT_SLICE -> DiscoveryPrinters.endpointSlice(c, name, age, obj);
    }
    return c;
  }

  /**
   * Row conditions: pods in phase Succeeded or Failed carry {@code Completed=True}, as
   * kube-apiserver sets them; otherwise none.
   */
  static ArrayNode conditions(Kind kind, JsonNode obj) {
    if (kind != Kind.POD) {
      return null;
    }
    String phase = obj.path("status").path("phase").asText("");
    if (!phase.equals("Succeeded") && !phase.equals("Failed")) {
      return null;
    }
    ArrayNode a = F.arrayNode();
    ObjectNode cond = a.addObject();
    cond.put("type", "Completed");
    cond.put("status", "True");
    cond.put("reason", phase);
    cond.put("message", phase.equals("Succeeded") ? "The pod has completed successfully." : "The pod failed.");
    return a;
  }

  // ---------------------------------------------------------------- Node

  private static void node(ArrayNode c, String name, String age, JsonNode spec, JsonNode status, JsonNode meta) {
    List<String> st = new ArrayList<>();
    for (JsonNode cond : status.path("conditions")) {
      if (cond.path("type").asText("").equals("Ready")) {
        st.clear(); // the last Ready condition wins, like the apiserver's map
        st.add(cond.path("status").asText("").equals("True") ? "Ready" : "NotReady");
      }
    }
    if (st.isEmpty()) {
      st.add("Unknown");
    }
    if (spec.path("unschedulable").asBoolean(false)) {
      st.add("SchedulingDisabled");
    }
    TreeSet<String> roles = new TreeSet<>();
    for (Map.Entry<String, JsonNode> l : meta.path("labels").properties()) {
      if (l.getKey().startsWith("node-role.kubernetes.io/")) {
        String role = l.getKey().substring("node-role.kubernetes.io/".length());
        if (!role.isEmpty()) {
          roles.add(role);
        }
      } else if (l.getKey().equals("kubernetes.io/role")) {
        String role = l.getValue().asText("");
        if (!role.isEmpty()) {
          roles.add(role);
        }
      }
    }
    JsonNode info = status.path("nodeInfo");
    c.add(name)
        .add(String.join(",", st))
        .add(roles.isEmpty() ? "<none>" : String.join(",", roles))
        .add(age)
        .add(info.path("kubeletVersion").asText(""))
        .add(nodeAddress(status, "InternalIP"))
        .add(nodeAddress(status, "ExternalIP"))
        .add(or(info.path("osImage").asText(""), "<unknown>"))
        .add(or(info.path("kernelVersion").asText(""), "<unknown>"))
        .add(or(info.path("containerRuntimeVersion").asText(""), "<unknown>"));
  }

  private static String nodeAddress(JsonNode status, String type) {
    for (JsonNode a : status.path("addresses")) {
      if (a.path("type").asText("").equals(type)) {
        return a.path("address").asText("");
      }
    }
    return "<none>";
  }

  // ---------------------------------------------------------------- Pod

  private static void pod(ArrayNode c, String name, String age, JsonNode pod, Instant now) {
    JsonNode spec = pod.path("spec");
    JsonNode status = pod.path("status");
    int totalContainers = spec.path("containers").size();
    int readyContainers = 0;
    int restarts = 0;
    Instant lastRestart = null;

    String phase = or(status.path("phase").asText(""), "Pending");
    String reason = or(status.path("reason").asText(""), phase);
    for (JsonNode cond : status.path("conditions")) {
      if (cond.path("type").asText("").equals("PodScheduled")
          && cond.path("reason").asText("").equals("SchedulingGated")) {
        reason = "SchedulingGated";
      }
    }

    // init containers (restartable "sidecar" init containers are counted like regular ones)
    Map<String, Boolean> sidecar = new TreeMap<>();
    int initCount = spec.path("initContainers").size();
    for (JsonNode ic : spec.path("initContainers")) {
      boolean always = ic.path("restartPolicy").asText("").equals("Always");
      sidecar.put(ic.path("name").asText(""), always);
      if (always) {
        totalContainers++;
      }
    }
    boolean initializing = false;
    int sidecarRestarts = 0;
    Instant lastSidecarRestart = null;
    JsonNode initStatuses = status.path("initContainerStatuses");
    for (int i = 0; i < initStatuses.size(); i++) {
      JsonNode cs = initStatuses.get(i);
      restarts += cs.path("restartCount").asInt(0);
      lastRestart = later(lastRestart, cs.path("lastState").path("terminated").path("finishedAt").asText(""));
      boolean isSidecar = sidecar.getOrDefault(cs.path("name").asText(""), false);
      if (isSidecar) {
        sidecarRestarts += cs.path("restartCount").asInt(0);
        lastSidecarRestart = later(lastSidecarRestart, cs.path("lastState").path("terminated").path("finishedAt").asText(""));
      }
      JsonNode term = cs.path("state").path("terminated");
      JsonNode wait = cs.path("state").path("waiting");
      // kubectl's order: a completed one is done; a started sidecar counts as an app container; else it blocks
      if (!term.isMissingNode() && term.path("exitCode").asInt(0) == 0) {
        continue;
      } else if (isSidecar && cs.path("started").asBoolean(false)) {
        if (cs.path("ready").asBoolean(false)) {
          readyContainers++;
        }
        continue;
      } else if (!term.isMissingNode()) {
        String r = term.path("reason").asText("");
        if (r.isEmpty()) {
          int signal = term.path("signal").asInt(0);
          r = signal != 0 ? "Signal:" + signal : "ExitCode:" + term.path("exitCode").asInt(0);
        }
        reason = "Init:" + r;
      } else if (!wait.isMissingNode() && !wait.path("reason").asText("").isEmpty()
          && !wait.path("reason").asText("").equals("PodInitializing")) {
        reason = "Init:" + wait.path("reason").asText("");
      } else {
        reason = "Init:" + i + "/" + initCount;
      }
      initializing = true;
      break;
    }
    if (!initializing || conditionTrue(status, "Initialized")) {
      // once initialized, only sidecar restarts count from the init containers
      restarts = sidecarRestarts;
      lastRestart = lastSidecarRestart;
      boolean hasRunning = false;
      JsonNode statuses = status.path("containerStatuses");
      for (int i = statuses.size() - 1; i >= 0; i--) {
        JsonNode cs = statuses.get(i);
        restarts += cs.path("restartCount").asInt(0);
        lastRestart = later(lastRestart, cs.path("lastState").path("terminated").path("finishedAt").asText(""));
        JsonNode state = cs.path("state");
        JsonNode wait = state.path("waiting");
        JsonNode term = state.path("terminated");
        if (!wait.isMissingNode() && !wait.path("reason").asText("").isEmpty()) {
          reason = wait.path("reason").asText("");
        } else if (!term.isMissingNode() && !term.path("reason").asText("").isEmpty()) {
          reason = term.path("reason").asText("");
        } else if (!term.isMissingNode()) {
          int signal = term.path("signal").asInt(0);
          reason = signal != 0 ? "Signal:" + signal : "ExitCode:" + term.path("exitCode").asInt(0);
        } else if (cs.path("ready").asBoolean(false) && !state.path("running").isMissingNode()) {
          hasRunning = true;
          readyContainers++;
        }
      }
      if (reason.equals("Completed") && hasRunning) {
        reason = conditionTrue(status, "Ready") ? "Running" : "NotReady";
      }
    }
    boolean deleting = !pod.path("metadata").path("deletionTimestamp").asText("").isEmpty();
    if (deleting && status.path("reason").asText("").equals("NodeLost")) {
      reason = "Unknown";
    } else if (deleting && !phase.equals("Succeeded") && !phase.equals("Failed")) {
      reason = "Terminating";
    }

    String restartsStr = Integer.toString(restarts);
    if (restarts != 0 && lastRestart != null) {
      restartsStr = restarts + " (" + humanDuration(java.time.Duration.between(lastRestart, now)) + " ago)";
    }

    String podIp = or(status.path("podIP").asText(""), "<none>");
    String nodeName = or(spec.path("nodeName").asText(""), "<none>");
    String nominated = or(status.path("nominatedNodeName").asText(""), "<none>");
    String gates = "<none>";
    JsonNode rg = spec.path("readinessGates");
    if (rg.size() > 0) {
      int trueGates = 0;
      for (JsonNode g : rg) {
        if (conditionTrue(status, g.path("conditionType").asText(""))) {
          trueGates++;
        }
      }
      gates = trueGates + "/" + rg.size();
    }
    c.add(name).add(readyContainers + "/" + totalContainers).add(reason).add(restartsStr).add(age)
        .add(podIp).add(nodeName).add(nominated).add(gates);
  }

  private static boolean conditionTrue(JsonNode status, String type) {
    for (JsonNode cond : status.path("conditions")) {
      if (cond.path("type").asText("").equals(type)) {
        return cond.path("status").asText("").equals("True");
      }
    }
    return false;
  }

  private static Instant later(Instant current, String timestamp) {
    Instant t = parse(timestamp);
    if (t == null) {
      return current;
    }
    return current == null || current.isBefore(t) ? t : current;
  }

  // ---------------------------------------------------------------- Service

  private static void service(ArrayNode c, String name, String age, JsonNode spec, JsonNode status) {
    String type = or(spec.path("type").asText(""), "ClusterIP");
    String clusterIp = "<none>";
    if (spec.path("clusterIPs").size() > 0) {
      clusterIp = spec.path("clusterIPs").get(0).asText("");
    } else if (!spec.path("clusterIP").asText("").isEmpty()) {
      clusterIp = spec.path("clusterIP").asText("");
    }
    List<String> externalIps = strings(spec.path("externalIPs"));
    String external;
    switch (type) {
      case "ClusterIP", "NodePort" -> external = externalIps.isEmpty() ? "<none>" : String.join(",", externalIps);
      case "LoadBalancer" -> {
        List<String> lb = new ArrayList<>();
        for (JsonNode ing : status.path("loadBalancer").path("ingress")) {
          String ip = ing.path("ip").asText("");
          String host = ing.path("hostname").asText("");
          if (!ip.isEmpty()) {
            lb.add(ip);
          } else if (!host.isEmpty()) {
            lb.add(host);
          }
        }
        lb.addAll(externalIps);
        external = lb.isEmpty() ? "<pending>" : String.join(",", lb);
      }
      case "ExternalName" -> external = spec.path("externalName").asText("");
      default -> external = "<unknown>";
    }
    List<String> ports = new ArrayList<>();
    for (JsonNode p : spec.path("ports")) {
      String proto = or(p.path("protocol").asText(""), "TCP");
      int nodePort = p.path("nodePort").asInt(0);
      ports.add(nodePort > 0
          ? p.path("port").asInt() + ":" + nodePort + "/" + proto
          : p.path("port").asInt() + "/" + proto);
    }
    c.add(name).add(type).add(clusterIp).add(external)
        .add(ports.isEmpty() ? "<none>" : String.join(",", ports))
        .add(age)
        .add(formatLabels(spec.path("selector")));
  }

  // ---------------------------------------------------------------- Endpoints

  static String endpoints(JsonNode subsets) {
    if (subsets.size() == 0) {
      return "<none>";
    }
    final int max = 3;
    List<String> list = new ArrayList<>();
    boolean more = false;
    int count = 0;
    for (JsonNode ss : subsets) {
      JsonNode addresses = ss.path("addresses");
      if (ss.path("ports").size() == 0) {
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          list.add(a.path("ip").asText(""));
        }
        continue;
      }
      for (JsonNode port : ss.path("ports")) {
        count += addresses.size();
        for (JsonNode a : addresses) {
          if (list.size() == max) {
            more = true;
            break;
          }
          String ip = a.path("ip").asText("");
          String host = ip.contains(":") ? "[" + ip + "]" : ip;
          list.add(host + ":" + port.path("port").asInt());
        }
      }
    }
    String ret = String.join(",", list);
    return more ? ret + " + " + (count - max) + " more..." : ret;
  }

  // ---------------------------------------------------------------- Event

  private static void event(ArrayNode c, JsonNode ev, Instant now) {
    String first = since(ev.path("firstTimestamp").asText(""), now);
    if (ev.path("firstTimestamp").asText("").isEmpty()) {
      first = since(ev.path("eventTime").asText(""), now);
    }
    String last = ev.path("lastTimestamp").asText("").isEmpty() ? first : since(ev.path("lastTimestamp").asText(""), now);
    int count = ev.path("count").asInt(0);
    JsonNode series = ev.path("series");
    if (!series.isMissingNode() && !series.isNull()) {
      last = since(series.path("lastObservedTime").asText(""), now);
      count = series.path("count").asInt(0);
    } else if (count == 0) {
      count = 1;
    }
    JsonNode io = ev.path("involvedObject");
    String ioKind = io.path("kind").asText("").toLowerCase(Locale.ROOT);
    String target = io.path("name").asText("").isEmpty() ? ioKind : ioKind + "/" + io.path("name").asText("");
    String component = or(ev.path("source").path("component").asText(""), ev.path("reportingComponent").asText(""));
    String instance = or(ev.path("source").path("host").asText(""), ev.path("reportingInstance").asText(""));
    String source = component.isEmpty() ? "" : instance.isEmpty() ? component : component + ", " + instance;
    c.add(last)
        .add(ev.path("type").asText(""))
        .add(ev.path("reason").asText(""))
        .add(target)
        .add(io.path("fieldPath").asText(""))
        .add(source)
        .add(ev.path("message").asText("").strip())
        .add(first)
        .add(count)
        .add(ev.path("metadata").path("name").asText(""));
  }

  // ---------------------------------------------------------------- helpers

  /** The controller owner as kube's printer names it: {@code daemonset.apps/agent}, {@code <none>}. */
  private static String controllerOf(JsonNode meta) {
    for (JsonNode ref : meta.path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        String apiVersion = ref.path("apiVersion").asText("");
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String kind = ref.path("kind").asText("").toLowerCase(Locale.ROOT);
        return (group.isEmpty() ? kind : kind + "." + group) + "/" + ref.path("name").asText("");
      }
    }
    return "<none>";
  }

  private static void containers(ArrayNode c, JsonNode containers) {
    List<String> names = new ArrayList<>();
    List<String> images = new ArrayList<>();
    for (JsonNode ct : containers) {
      names.add(ct.path("name").asText(""));
      images.add(ct.path("image").asText(""));
    }
    c.add(String.join(",", names)).add(String.join(",", images));
  }

  /** labels.FormatLabels: sorted {@code k=v,k2=v2}, {@code <none>} when empty. */
  static String formatLabels(JsonNode map) {
    TreeMap<String, String> sorted = new TreeMap<>();
    map.properties().forEach(e -> sorted.put(e.getKey(), e.getValue().asText("")));
    if (sorted.isEmpty()) {
      return "<none>";
    }
    List<String> parts = new ArrayList<>();
    sorted.forEach((k, v) -> parts.add(k + "=" + v));
    return String.join(",", parts);
  }

  /** metav1.FormatLabelSelector: the selector string, {@code <none>} when it selects by nothing. */
  static String formatLabelSelector(JsonNode selector) {
    String s = selectorString(selector);
    return s.isEmpty() ? "<none>" : s;
  }

  /**
   * LabelSelectorAsSelector(...).String(): requirements sorted by key; {@code k=v},
   * {@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}.
   */
  static String selectorString(JsonNode selector) {
    if (selector == null || selector.isNull() || selector.isMissingNode()) {
      return "";
    }
    List<String[]> reqs = new ArrayList<>(); // key, rendered
    selector.path("matchLabels").properties().forEach(
        e -> reqs.add(new String[] {e.getKey(), e.getKey() + "=" + e.getValue().asText("")}));
    for (JsonNode expr : selector.path("matchExpressions")) {
      String key = expr.path("key").asText("");
      List<String> values = new ArrayList<>(new TreeSet<>(strings(expr.path("values"))));
      String rendered = switch (expr.path("operator").asText("")) {
        case "In" -> key + " in (" + String.join(",", values) + ")";
        case "NotIn" -> key + " notin (" + String.join(",", values) + ")";
        case "Exists" -> key;
        case "DoesNotExist" -> "!" + key;
        default -> key + " ?(" + String.join(",", values) + ")";
      };
      reqs.add(new String[] {key, rendered});
    }
    reqs.sort((a, b) -> a[0].compareTo(b[0]));
    List<String> parts = new ArrayList<>();
    for (String[] r : reqs) {
      parts.add(r[1]);
    }
    return String.join(",", parts);
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    for (JsonNode n : array) {
      out.add(n.asText(""));
    }
    return out;
  }

  private static String or(String value, String fallback) {
    return value == null || value.isEmpty() ? fallback : value;
  }

  static Instant parse(String timestamp) {
    if (timestamp == null || timestamp.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(timestamp);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** translateTimestampSince: {@code <unknown>} for a missing timestamp, else HumanDuration. */
  static String since(String timestamp, Instant now) {
    Instant t = parse(timestamp);
    return t == null ? "<unknown>" : humanDuration(java.time.Duration.between(t, now));
  }

  /** apimachinery's duration.HumanDuration, as kubectl prints AGE. */
  static String humanDuration(java.time.Duration d) {
    long seconds = d.getSeconds(); // floor; Go truncates toward zero, equal for d >= 0
    if (d.isNegative()) {
      // Go: int(d.Seconds()) truncates toward zero
      long truncated = -(d.negated().getSeconds());
      if (truncated < -1) {
        return "<invalid>";
      }
      return "0s";
    }
    if (seconds < 60 * 2) {
      return seconds + "s";
    }
    long minutes = seconds / 60;
    if (minutes < 10) {
      long s = seconds % 60;
      return s == 0 ? minutes + "m" : minutes + "m" + s + "s";
    } else if (minutes < 60 * 3) {
      return minutes + "m";
    }
    long hours = seconds / 3600;
    if (hours < 8) {
      long m = minutes % 60;
      return m == 0 ? hours + "h" : hours + "h" + m + "m";
    } else if (hours < 48) {
      return hours + "h";
    } else if (hours < 24 * 8) {
      long h = hours % 24;
      return h == 0 ? hours / 24 + "d" : hours / 24 + "d" + h + "h";
    } else if (hours < 24 * 365 * 2) {
      return hours / 24 + "d";
    } else if (hours < 24 * 365 * 8) {
      long dy = (hours / 24) % 365;
      return dy == 0 ? hours / 24 / 365 + "y" : hours / 24 / 365 + "y" + dy + "d";
    }
    return hours / 24 / 365 + "y";
  }
}
