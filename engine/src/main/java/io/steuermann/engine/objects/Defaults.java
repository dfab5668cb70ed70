package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;

/**
 * Kubernetes' defaulting for the fields clients habitually leave out, applied to every write
 * so stored objects look as they would in Kubernetes ({@code kubectl get -o yaml} shows them).
 */
final class Defaults {
  private Defaults() {}

  static void apply(Kind kind, ObjectNode object) {
    switch (kind) {
      case POD -> pod(object);
      case REPLICA_SET -> replicaSet(object);
      case REPLICATION_CONTROLLER -> replicationController(object);
      case DEPLOYMENT -> deployment(object);
      case DAEMON_SET -> daemonSet(object);
      case STATEFUL_SET -> statefulSet(object);
      case SERVICE -> service(object);
      case NAMESPACE -> namespace(object);
      case SECRET -> secret(object);
      case JOB -> job(object);
      case CRON_JOB -> cronJob(object);
      case POD_DISRUPTION_BUDGET -> disruptionBudget(object);
      case PERSISTENT_VOLUME -> persistentVolume(object);
      case PERSISTENT_VOLUME_CLAIM -> persistentVolumeClaim(object);
      case STORAGE_CLASS -> storageClass(object);
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> roleBinding(object);
      case INGRESS_CLASS -> ingressClass(object);
      case HORIZONTAL_POD_AUTOSCALER -> io.steuermann.engine.autoscaling.AutoscalerDefaults.apply(object);
      case LIMIT_RANGE -> io.steuermann.engine.limits.LimitRanges.defaults(object);
      default -> { }
    }
  }

  /**
   * kube's {@code SetDefaults_PersistentVolume}: reclaim policy Retain (a provisioned volume
   * carries its class's), Filesystem mode, phase Pending until the controller sees it.
   */
  private static void persistentVolume(ObjectNode pv) {
    ObjectNode spec = spec(pv);
    putIfAbsent(spec, "persistentVolumeReclaimPolicy", "Retain");
    putIfAbsent(spec, "volumeMode", "Filesystem");
    putIfAbsent(obj(pv, "status"), "phase", "Pending");
  }

  /** kube's {@code SetDefaults_PersistentVolumeClaim}: Filesystem mode, phase Pending. */
  private static void persistentVolumeClaim(ObjectNode pvc) {
    putIfAbsent(spec(pvc), "volumeMode", "Filesystem");
    putIfAbsent(obj(pvc, "status"), "phase", "Pending");
  }

  /**
   * rbac/v1's {@code SetDefaults_RoleBinding} / {@code SetDefaults_Subject}: the role's group, and
   * a subject's group by its kind (none for a ServiceAccount).
   */
  private static void roleBinding(ObjectNode binding) {
    if (binding.path("roleRef") instanceof ObjectNode ref && ref.path("apiGroup").asText("").isEmpty()) {
      ref.put("apiGroup", "rbac.authorization.k8s.io");
    }
    for (var subject : binding.path("subjects")) {
      if (subject instanceof ObjectNode s && s.path("apiGroup").asText("").isEmpty()) {
        switch (s.path("kind").asText("")) {
          case "ServiceAccount" -> s.put("apiGroup", "");
          case "User", "Group" -> s.put("apiGroup", "rbac.authorization.k8s.io");
          default -> { }
        }
      }
    }
  }

  /** networking/v1 {@code SetDefaults_IngressClass}: parameters without a scope are Cluster-scoped. */
  private static void ingressClass(ObjectNode ingressClass) {
    if (ingressClass.path("spec").path("parameters") instanceof ObjectNode parameters) {
      putIfAbsent(parameters, "scope", "Cluster");
    }
  }

  /** kube's {@code SetDefaults_StorageClass}: reclaim policy Delete, binding Immediate. */
  private static void storageClass(ObjectNode sc) {
    putIfAbsent(sc, "reclaimPolicy", "Delete");
    putIfAbsent(sc, "volumeBindingMode", "Immediate");
  }

  /**
   * As the v1 conversion does: {@code stringData} is written into {@code data} base64-encoded
   * (its entries win) and is never stored; {@code type} defaults to {@code Opaque}.
   */
  private static void secret(ObjectNode secret) {
    JsonNode existing = secret.get("data");
    boolean foldable = existing == null || existing.isNull() || existing.isObject();
    // a mistyped field is left as it is, for validation to refuse
    JsonNode stringData = foldable && secret.path("stringData").isObject() ? secret.remove("stringData") : null;
    if (stringData instanceof ObjectNode entries && !entries.isEmpty()) {
      ObjectNode data = existing instanceof ObjectNode o ? o : secret.putObject("data");
      entries.fields().forEachRemaining(e -> data.put(e.getKey(), java.util.Base64.getEncoder()
          .encodeToString(e.getValue().asText("").getBytes(java.nio.charset.StandardCharsets.UTF_8))));
    }
    JsonNode type = secret.get("type");
    if (type == null || type.isNull() || type.asText().isEmpty()) {
      secret.put("type", "Opaque");
    }
  }

  /**
   * Kubernetes' Job defaults (completions and parallelism 1 when both are unset, else
   * parallelism 1; backoffLimit 6, completionMode NonIndexed, suspend false, manualSelector
   * false, podReplacementPolicy TerminatingOrFailed) and, unless {@code manualSelector} is
   * true, the generated selector: the Job's uid as {@code batch.kubernetes.io/controller-uid}
   * in the selector, and in the template's labels with {@code batch.kubernetes.io/job-name}
   * and the legacy {@code controller-uid} and {@code job-name}.
   */
  private static void job(ObjectNode job) {
    ObjectNode spec = spec(job);
    if (!spec.hasNonNull("completions") && !spec.hasNonNull("parallelism")) {
      spec.put("completions", 1);
    }
    putIfAbsent(spec, "parallelism", 1);
    putIfAbsent(spec, "backoffLimit", 6);
    putIfAbsent(spec, "completionMode", "NonIndexed");
    if (!spec.hasNonNull("suspend")) {
      spec.put("suspend", false);
    }
    if (!spec.hasNonNull("manualSelector")) {
      spec.put("manualSelector", false);
    }
    if (!spec.has("podFailurePolicy")) {
      putIfAbsent(spec, "podReplacementPolicy", "TerminatingOrFailed");
    }
    if (!spec.path("manualSelector").asBoolean(false) && spec.path("template").isObject()) {
      String uid = job.path("metadata").path("uid").asText("");
      String name = job.path("metadata").path("name").asText("");
      ObjectNode labels = obj(obj((ObjectNode) spec.get("template"), "metadata"), "labels");
      labels.put("batch.kubernetes.io/controller-uid", uid);
      labels.put("batch.kubernetes.io/job-name", name);
      labels.put("controller-uid", uid);
      labels.put("job-name", name);
      if (!spec.has("selector")) {
        spec.putObject("selector").putObject("matchLabels").put("batch.kubernetes.io/controller-uid", uid);
      }
      // as the v1 defaults: a Job without labels of its own gets its template's
      ObjectNode meta = obj(job, "metadata");
      if (meta.path("labels").isEmpty() && !meta.path("labels").isTextual()) {
        meta.set("labels", labels.deepCopy());
      }
    }
    templateSpec(spec);
    obj(job, "status");
  }

  /** Kubernetes' CronJob defaults: concurrencyPolicy Allow, suspend false, history 3 successful and 1 failed. */
  /** policy/v1: a budget that names neither bound keeps one pod available. */
  private static void disruptionBudget(ObjectNode pdb) {
    if (pdb.path("spec").isObject()) {
      ObjectNode spec = (ObjectNode) pdb.get("spec");
      if (!spec.hasNonNull("minAvailable") && !spec.hasNonNull("maxUnavailable")) {
        spec.put("minAvailable", 1);
      }
    } else if (pdb.path("spec").isMissingNode() || pdb.path("spec").isNull()) {
      pdb.putObject("spec").put("minAvailable", 1);
    }
  }

  private static void cronJob(ObjectNode cronJob) {
    ObjectNode spec = spec(cronJob);
    putIfAbsent(spec, "concurrencyPolicy", "Allow");
    if (!spec.hasNonNull("suspend")) {
      spec.put("suspend", false);
    }
    putIfAbsent(spec, "successfulJobsHistoryLimit", 3);
    putIfAbsent(spec, "failedJobsHistoryLimit", 1);
    JsonNode template = spec.get("jobTemplate");
    if (template instanceof ObjectNode t) {
      templateSpec(obj(t, "spec"));
    }
    obj(cronJob, "status");
  }

  private static void pod(ObjectNode pod) {
    ObjectNode spec = spec(pod);
    // the ServiceAccount admission plugin: a pod runs as its namespace's default account unless it names one
    if (spec.path("serviceAccountName").asText("").isEmpty() && spec.path("serviceAccount").asText("").isEmpty()) {
      spec.put("serviceAccountName", "default");
    }
    podSpec(spec);
    ObjectNode status = obj(pod, "status");
    putIfAbsent(status, "phase", "Pending");
    putIfAbsent(status, "qosClass", "BestEffort");
  }

  static void podSpec(ObjectNode spec) {
    putIfAbsent(spec, "restartPolicy", "Always");
    putIfAbsent(spec, "terminationGracePeriodSeconds", 30);
    putIfAbsent(spec, "dnsPolicy", "ClusterFirst");
    putIfAbsent(spec, "schedulerName", "default-scheduler");
    serviceAccount(spec);
    // SetDefaults_Volume: a volume that names no source is an emptyDir
    for (JsonNode v : spec.path("volumes")) {
      if (v instanceof ObjectNode volume && volume.size() == 1 && volume.has("name")) {
        volume.putObject("emptyDir");
      }
    }
    if (!spec.has("securityContext")) {
      spec.putObject("securityContext");
    }
    for (String list : new String[] {"containers", "initContainers"}) {
      JsonNode containers = spec.get(list);
      if (containers instanceof ArrayNode array) {
        for (JsonNode c : array) {
          if (c instanceof ObjectNode container) {
            container(container);
          }
        }
      }
    }
  }

  /**
   * v1's conversion of the deprecated {@code serviceAccount}: read when {@code serviceAccountName}
   * is empty, and always written back as a copy of it.
   */
  private static void serviceAccount(ObjectNode spec) {
    String name = spec.path("serviceAccountName").asText("");
    if (name.isEmpty()) {
      name = spec.path("serviceAccount").asText("");
    }
    if (!name.isEmpty()) {
      spec.put("serviceAccountName", name);
      spec.put("serviceAccount", name);
    }
  }

  private static void container(ObjectNode c) {
    String image = c.path("image").asText("");
    boolean latest = !image.contains(":") || image.endsWith(":latest");
    putIfAbsent(c, "imagePullPolicy", latest && !image.contains("@") ? "Always" : "IfNotPresent");
    putIfAbsent(c, "terminationMessagePath", "/dev/termination-log");
    putIfAbsent(c, "terminationMessagePolicy", "File");
    if (!c.has("resources")) {
      c.putObject("resources");
    }
    JsonNode ports = c.get("ports");
    if (ports instanceof ArrayNode array) {
      for (JsonNode p : array) {
        if (p instanceof ObjectNode port) {
          putIfAbsent(port, "protocol", "TCP");
        }
      }
    }
  }

  private static void replicaSet(ObjectNode rs) {
    ObjectNode spec = spec(rs);
    putIfAbsent(spec, "replicas", 1);
    templateSpec(spec);
    ObjectNode status = obj(rs, "status");
    putIfAbsent(status, "replicas", 0);
  }

  /**
   * kube's {@code SetDefaults_ReplicationController}: an empty selector and empty labels are
   * the template's labels; one replica.
   */
  private static void replicationController(ObjectNode rc) {
    ObjectNode spec = spec(rc);
    JsonNode templateLabels = spec.path("template").path("metadata").path("labels");
    if (templateLabels.isObject() && !templateLabels.isEmpty()) {
      JsonNode selector = spec.get("selector");
      if (selector == null || selector.isNull() || (selector.isObject() && selector.isEmpty())) {
        spec.set("selector", templateLabels.deepCopy());
      }
      JsonNode labels = rc.path("metadata").get("labels");
      if (rc.path("metadata") instanceof ObjectNode meta
          && (labels == null || labels.isNull() || (labels.isObject() && labels.isEmpty()))) {
        meta.set("labels", templateLabels.deepCopy());
      }
    }
    replicaSet(rc);
  }

  private static void deployment(ObjectNode d) {
    ObjectNode spec = spec(d);
    putIfAbsent(spec, "replicas", 1);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    putIfAbsent(spec, "progressDeadlineSeconds", 600);
    ObjectNode strategy = obj(spec, "strategy");
    putIfAbsent(strategy, "type", "RollingUpdate");
    if ("RollingUpdate".equals(strategy.path("type").asText())) {
      ObjectNode rolling = obj(strategy, "rollingUpdate");
      putIfAbsent(rolling, "maxUnavailable", "25%");
      putIfAbsent(rolling, "maxSurge", "25%");
    }
    templateSpec(spec);
    obj(d, "status");
  }

  /** kube's {@code SetDefaults_DaemonSet}; the status counters Go always writes start at 0. */
  private static void daemonSet(ObjectNode ds) {
    ObjectNode spec = spec(ds);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    ObjectNode strategy = obj(spec, "updateStrategy");
    putIfAbsent(strategy, "type", "RollingUpdate");
    if ("RollingUpdate".equals(strategy.path("type").asText())) {
      ObjectNode rolling = obj(strategy, "rollingUpdate");
      putIfAbsent(rolling, "maxUnavailable", 1);
      putIfAbsent(rolling, "maxSurge", 0);
    }
    templateSpec(spec);
    ObjectNode status = obj(ds, "status");
    for (String counter : new String[] {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
        "numberReady"}) {
      putIfAbsent(status, counter, 0);
    }
  }

  /**
   * kube's {@code SetDefaults_StatefulSet} (with the StatefulSetAutoDeletePVC gate on, as in
   * 1.32): OrderedReady, RollingUpdate with partition 0, claims retained; each claim template
   * defaulted as a claim is. The counters Go always writes start at 0.
   */
  private static void statefulSet(ObjectNode sts) {
    ObjectNode spec = spec(sts);
    putIfAbsent(spec, "replicas", 1);
    putIfAbsent(spec, "revisionHistoryLimit", 10);
    putIfAbsent(spec, "podManagementPolicy", "OrderedReady");
    ObjectNode strategy = obj(spec, "updateStrategy");
    if (!strategy.has("type")) {
      strategy.put("type", "RollingUpdate");
      obj(strategy, "rollingUpdate");
    }
    if ("RollingUpdate".equals(strategy.path("type").asText()) && strategy.get("rollingUpdate") instanceof ObjectNode r) {
      putIfAbsent(r, "partition", 0);
    }
    ObjectNode retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
    putIfAbsent(retention, "whenDeleted", "Retain");
    putIfAbsent(retention, "whenScaled", "Retain");
    for (JsonNode claim : spec.path("volumeClaimTemplates")) {
      if (claim instanceof ObjectNode c) {
        persistentVolumeClaim(c);
      }
    }
    templateSpec(spec);
    ObjectNode status = obj(sts, "status");
    putIfAbsent(status, "replicas", 0);
    putIfAbsent(status, "availableReplicas", 0);
  }

  private static void templateSpec(ObjectNode spec) {
    JsonNode template = spec.get("template");
    if (template instanceof ObjectNode t) {
      podSpec(obj(t, "spec"));
    }
  }

  private static void service(ObjectNode svc) {
    io.steuermann.engine.services.ServiceSpecs.applyDefaults(spec(svc));
    obj(obj(svc, "status"), "loadBalancer");
  }

  private static void namespace(ObjectNode ns) {
    ObjectNode spec = spec(ns);
    if (!spec.has("finalizers")) {
      spec.putArray("finalizers").add("kubernetes");
    }
    putIfAbsent(obj(ns, "status"), "phase", "Active");
  }

  private static ObjectNode spec(ObjectNode object) {
    return obj(object, "spec");
  }

  static ObjectNode obj(ObjectNode parent, String field) {
    JsonNode n = parent.get(field);
    if (n instanceof ObjectNode o) {
      return o;
    }
    if (n != null && !n.isNull()) {
      // a value of the wrong type stays for validation to refuse; defaults go nowhere
      return parent.objectNode();
    }
    return parent.putObject(field);
  }

  private static void putIfAbsent(ObjectNode node, String field, String value) {
    // Go defaults zero values, and the zero value of a string is ""
    if (!node.hasNonNull(field) || node.get(field).asText().isEmpty()) {
      node.put(field, value);
    }
  }

  private static void putIfAbsent(ObjectNode node, String field, int value) {
    if (!node.hasNonNull(field)) {
      node.put(field, value);
    }
  }
}
