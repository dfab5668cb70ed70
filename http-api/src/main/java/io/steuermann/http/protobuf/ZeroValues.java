package io.steuermann.http.protobuf;

import com.google.protobuf.Descriptors.FieldDescriptor;
import java.util.Map;
import java.util.Set;

/**
 * Where a zero on the protobuf wire is a value rather than "not set".
 *
 * <p>Go's generated marshallers write every non-pointer field, zero or not ({@code uid: ""},
 * {@code generation: 0}, {@code nodePort: 0} arrive in every kubectl body), and kube-apiserver
 * decodes them into Go fields where zero and absent are the same thing. Only pointer fields
 * ({@code *int32 replicas}) and fields Go's JSON always writes ({@code ready}, {@code port})
 * make a zero mean something. The descriptors cannot tell these apart, so this table does:
 * a zero scalar decodes to a JSON value only in these fields and is dropped elsewhere.
 * It covers the messages of the served kinds; a field missing here loses only an explicit
 * zero, which for a non-pointer Go field is what kube-apiserver does as well.
 */
final class ZeroValues {
  private static final String CORE = "k8s.io.api.core.v1.";
  private static final String APPS = "k8s.io.api.apps.v1.";
  private static final String META = "k8s.io.apimachinery.pkg.apis.meta.v1.";

  private static final Map<String, Set<String>> MEANINGFUL = Map.ofEntries(
      // Go pointers: *int32, *int64, *bool
      Map.entry(META + "ObjectMeta", Set.of("deletionGracePeriodSeconds")),
      Map.entry(META + "OwnerReference", Set.of("controller", "blockOwnerDeletion")),
      Map.entry(META + "DeleteOptions", Set.of("gracePeriodSeconds", "orphanDependents")),
      Map.entry(META + "ListMeta", Set.of("remainingItemCount")),
      // autoscaling: pointers (minReplicas, windows, utilisations) and counts Go's JSON always writes
      Map.entry("k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerSpec", Set.of("minReplicas", "maxReplicas",
          "targetCPUUtilizationPercentage")),
      Map.entry("k8s.io.api.autoscaling.v1.HorizontalPodAutoscalerStatus", Set.of("observedGeneration",
          "currentReplicas", "desiredReplicas", "currentCPUUtilizationPercentage")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.HorizontalPodAutoscalerSpec", Set.of("minReplicas", "maxReplicas")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.HorizontalPodAutoscalerStatus", Set.of("observedGeneration",
          "desiredReplicas")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.HPAScalingRules", Set.of("stabilizationWindowSeconds")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.HPAScalingPolicy", Set.of("value", "periodSeconds")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.MetricTarget", Set.of("averageUtilization")),
      Map.entry("k8s.io.api.autoscaling.v2beta2.MetricValueStatus", Set.of("averageUtilization")),
      // Go strings without omitempty: a condition's empty message is on the wire in JSON
      Map.entry(META + "Condition", Set.of("reason", "message")),
      Map.entry(APPS + "DeploymentSpec", Set.of("replicas", "revisionHistoryLimit", "progressDeadlineSeconds")),
      Map.entry(APPS + "ReplicaSetSpec", Set.of("replicas")),
      Map.entry(CORE + "ReplicationControllerSpec", Set.of("replicas")),
      Map.entry(CORE + "ReplicationControllerStatus", Set.of("replicas")),
      Map.entry(APPS + "ReplicaSetStatus", Set.of("replicas")),
      Map.entry(APPS + "DaemonSetSpec", Set.of("revisionHistoryLimit")),
      // collisionCount is a pointer; the four counters are Go JSON fields without omitempty
      Map.entry(APPS + "DaemonSetStatus", Set.of("collisionCount", "currentNumberScheduled", "numberMisscheduled",
          "desiredNumberScheduled", "numberReady")),
      Map.entry(APPS + "ControllerRevision", Set.of("revision")),
      Map.entry(APPS + "StatefulSetSpec", Set.of("replicas", "revisionHistoryLimit")),
      Map.entry(APPS + "RollingUpdateStatefulSetStrategy", Set.of("partition")),
      // collisionCount is a pointer; replicas and availableReplicas are Go JSON fields without omitempty
      Map.entry(APPS + "StatefulSetStatus", Set.of("replicas", "availableReplicas", "collisionCount")),
      Map.entry("k8s.io.api.autoscaling.v1.ScaleStatus", Set.of("replicas")),
      // four Go JSON fields without omitempty: a budget that allows nothing says 0
      Map.entry("k8s.io.api.policy.v1.PodDisruptionBudgetStatus", Set.of("disruptionsAllowed", "currentHealthy",
          "desiredHealthy", "expectedPods")),
      Map.entry("k8s.io.api.batch.v1.JobSpec", Set.of("parallelism", "completions", "activeDeadlineSeconds",
          "backoffLimit", "backoffLimitPerIndex", "maxFailedIndexes", "manualSelector", "ttlSecondsAfterFinished",
          "suspend")),
      Map.entry("k8s.io.api.batch.v1.JobStatus", Set.of("ready", "terminating")),
      Map.entry("k8s.io.api.batch.v1.CronJobSpec", Set.of("startingDeadlineSeconds", "suspend",
          "successfulJobsHistoryLimit", "failedJobsHistoryLimit")),
      Map.entry(CORE + "PodSpec", Set.of("terminationGracePeriodSeconds", "activeDeadlineSeconds",
          "automountServiceAccountToken", "shareProcessNamespace", "priority", "enableServiceLinks",
          "setHostnameAsFQDN", "hostUsers")),
      Map.entry(CORE + "SecurityContext", Set.of("privileged", "runAsUser", "runAsGroup", "runAsNonRoot",
          "readOnlyRootFilesystem", "allowPrivilegeEscalation")),
      Map.entry(CORE + "PodSecurityContext", Set.of("runAsUser", "runAsGroup", "runAsNonRoot", "fsGroup")),
      Map.entry(CORE + "Probe", Set.of("terminationGracePeriodSeconds")),
      Map.entry(CORE + "ServiceAccount", Set.of("automountServiceAccountToken")),
      Map.entry(CORE + "Toleration", Set.of("tolerationSeconds")),
      Map.entry(CORE + "ConfigMapVolumeSource", Set.of("defaultMode", "optional")),
      Map.entry(CORE + "SecretVolumeSource", Set.of("defaultMode", "optional")),
      Map.entry(CORE + "KeyToPath", Set.of("mode")),
      Map.entry(CORE + "ConfigMapKeySelector", Set.of("optional")),
      Map.entry(CORE + "ConfigMap", Set.of("immutable")),
      Map.entry("k8s.io.api.storage.v1.StorageClass", Set.of("allowVolumeExpansion")),
      // a Go int32 without omitempty: an Ingress status port 0 is on the wire in JSON
      Map.entry("k8s.io.api.networking.v1.IngressPortStatus", Set.of("port")),
      Map.entry(CORE + "Secret", Set.of("immutable")),
      Map.entry(CORE + "SecretKeySelector", Set.of("optional")),
      Map.entry(CORE + "ConfigMapEnvSource", Set.of("optional")),
      Map.entry(CORE + "SecretEnvSource", Set.of("optional")),
      Map.entry(CORE + "ServiceSpec", Set.of("allocateLoadBalancerNodePorts")),
      Map.entry(CORE + "ClientIPConfig", Set.of("timeoutSeconds")),
      // Go JSON fields without omitempty: kube-apiserver writes their zero too
      Map.entry(CORE + "ContainerPort", Set.of("containerPort")),
      Map.entry(CORE + "ServicePort", Set.of("port")),
      Map.entry(CORE + "EndpointPort", Set.of("port")),
      Map.entry(CORE + "ContainerStatus", Set.of("ready", "restartCount", "started", "name", "image", "imageID")),
      Map.entry(CORE + "ContainerStateTerminated", Set.of("exitCode")),
      Map.entry(CORE + "NodeSystemInfo", Set.of("machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
          "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion", "operatingSystem", "architecture")));

  private ZeroValues() {}

  static boolean meaningful(FieldDescriptor field) {
    Set<String> fields = MEANINGFUL.get(field.getContainingType().getFullName());
    return fields != null && fields.contains(field.getName());
  }

  /** Whether {@code value} is the zero of its protobuf scalar type. */
  static boolean isZero(Object value) {
    if (value instanceof String s) {
      return s.isEmpty();
    }
    if (value instanceof Boolean b) {
      return !b;
    }
    if (value instanceof Number n) {
      return n.doubleValue() == 0;
    }
    if (value instanceof com.google.protobuf.ByteString bytes) {
      return bytes.isEmpty();
    }
    return false;
  }
}
