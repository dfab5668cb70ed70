package io.steuermann.engine.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The kinds of object Steuermann stores, with the names Kubernetes gives them on the wire.
 * Everything that differs between kinds in routing and discovery is data here, so the API
 * layer needs no per-kind code paths.
 */
public enum Kind {
  NAMESPACE("", "v1", "Namespace", "namespaces", "namespace", false, List.of("ns"), true, false),
  NODE("", "v1", "Node", "nodes", "node", false, List.of("no"), true, false),
  POD("", "v1", "Pod", "pods", "pod", true, List.of("po"), true, false),
  SERVICE("", "v1", "Service", "services", "service", true, List.of("svc"), true, false),
  ENDPOINTS("", "v1", "Endpoints", "endpoints", "endpoints", true, List.of("ep"), false, false),
  EVENT("", "v1", "Event", "events", "event", true, List.of("ev"), false, false),
  CONFIG_MAP("", "v1", "ConfigMap", "configmaps", "configmap", true, List.of("cm"), false, false),
  SECRET("", "v1", "Secret", "secrets", "secret", true, List.of(), false, false),
  SERVICE_ACCOUNT("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", true, List.of("sa"), false, false),
  LIMIT_RANGE("", "v1", "LimitRange", "limitranges", "limitrange", true, List.of("limits"), false, false),
  PERSISTENT_VOLUME("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", false, List.of("pv"), true,
      false),
  PERSISTENT_VOLUME_CLAIM("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", true,
      List.of("pvc"), true, false),
  RESOURCE_QUOTA("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", true, List.of("quota"), true, false),
  REPLICATION_CONTROLLER("", "v1", "ReplicationController", "replicationcontrollers", "replicationcontroller", true,
      List.of("rc"), true, true),
  REPLICA_SET("apps", "v1", "ReplicaSet", "replicasets", "replicaset", true, List.of("rs"), true, true),
  DAEMON_SET("apps", "v1", "DaemonSet", "daemonsets", "daemonset", true, List.of("ds"), true, false),
  CONTROLLER_REVISION("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", true, List.of(),
      false, false),
  STATEFUL_SET("apps", "v1", "StatefulSet", "statefulsets", "statefulset", true, List.of("sts"), true, true),
  DEPLOYMENT("apps", "v1", "Deployment", "deployments", "deployment", true, List.of("deploy"), true, true),
  JOB("batch", "v1", "Job", "jobs", "job", true, List.of(), true, false),
  CRON_JOB("batch", "v1", "CronJob", "cronjobs", "cronjob", true, List.of("cj"), true, false),
  POD_DISRUPTION_BUDGET("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", true,
      List.of("pdb"), true, false),
  ROLE("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", true, List.of(), false, false),
  ROLE_BINDING("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", true, List.of(), false,
      false),
  CLUSTER_ROLE("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", false, List.of(), false,
      false),
  CLUSTER_ROLE_BINDING("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings",
      "clusterrolebinding", false, List.of(), false, false),
  // stored as autoscaling/v2 and also served as v1 (HorizontalPodAutoscalerConversion)
  HORIZONTAL_POD_AUTOSCALER("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers",
      "horizontalpodautoscaler", true, List.of("hpa"), true, false),
  STORAGE_CLASS("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", false, List.of("sc"), false,
      false),
  INGRESS("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", true, List.of("ing"), true, false),
  INGRESS_CLASS("networking.k8s.io", "v1", "IngressClass", "ingressclasses", "ingressclass", false, List.of(), false,
      false),
  ENDPOINT_SLICE("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", true, List.of(), false,
      false);

  private final String group;
  private final String version;
  private final String kindName;
  private final String plural;
  private final String singular;
  private final boolean namespaced;
  private final List<String> shortNames;
  private final boolean hasStatus;
  private final boolean hasScale;

  Kind(String group, String version, String kindName, String plural, String singular,
       boolean namespaced, List<String> shortNames, boolean hasStatus, boolean hasScale) {
    this.group = group;
    this.version = version;
    this.kindName = kindName;
    this.plural = plural;
    this.singular = singular;
    this.namespaced = namespaced;
    this.shortNames = shortNames;
    this.hasStatus = hasStatus;
    this.hasScale = hasScale;
  }

  /** API group; empty for the core ("legacy") group served under /api. */
  public String group() { return group; }

  public String version() { return version; }

  /** The wire value of the {@code apiVersion} field: {@code v1} or {@code apps/v1}. */
  public String apiVersion() { return group.isEmpty() ? version : group + "/" + version; }

  /** The wire value of the {@code kind} field, e.g. {@code ReplicaSet}. */
  public String kindName() { return kindName; }

  /** The resource name in paths, e.g. {@code replicasets}. */
  public String plural() { return plural; }

  public String singular() { return singular; }

  public boolean namespaced() { return namespaced; }

  public List<String> shortNames() { return shortNames; }

  /** Whether the kind has a {@code /status} subresource (status is then written only there). */
  public boolean hasStatus() { return hasStatus; }

  /** Whether the kind has a {@code /scale} subresource. */
  public boolean hasScale() { return hasScale; }

  /**
   * The versions the kind is served at: the stored one first, then older ones that the API
   * converts on the way in and out (only HorizontalPodAutoscaler's autoscaling/v1, which
   * {@code kubectl autoscale} 1.32 writes).
   */
  public List<String> servedVersions() {
    return this == HORIZONTAL_POD_AUTOSCALER ? List.of(version, "v1") : List.of(version);
  }

  /** The kind whose resource name in a path is {@code plural} within the given API group. */
  public static Optional<Kind> byPlural(String group, String plural) {
    return Arrays.stream(values())
        .filter(k -> k.group.equals(group) && k.plural.equals(plural))
        .findFirst();
  }

  /** The kind whose {@code kind} field value is {@code kindName}. */
  public static Optional<Kind> byKindName(String kindName) {
    return Arrays.stream(values()).filter(k -> k.kindName.equals(kindName)).findFirst();
  }

  /** All kinds served in one API group version. */
  public static List<Kind> inGroupVersion(String group, String version) {
    return Arrays.stream(values())
        .filter(k -> k.group.equals(group) && k.servedVersions().contains(version))
        .toList();
  }
}
