package io.steuermann.http.protobuf;

import com.google.protobuf.Message;
import io.kubernetes.client.proto.Meta;
import io.kubernetes.client.proto.V1;
import io.kubernetes.client.proto.V1Apps;
import io.kubernetes.client.proto.V1Autoscaling;
import io.kubernetes.client.proto.V1Batch;
import io.kubernetes.client.proto.V1Networking;
import io.kubernetes.client.proto.V1Policy;
import io.kubernetes.client.proto.V1Rbac;
import io.kubernetes.client.proto.V1Storage;
import java.util.Map;
import java.util.Optional;

/**
 * Which generated message carries which {@code apiVersion}/{@code kind}: one explicit table
 * per group version, so a kind is served in protobuf only when it is listed here (a test
 * checks every served kind and its list are).
 */
public final class MessageTypes {
  private static final Map<String, Map<String, Message>> BY_GROUP_VERSION = Map.of(
      "v1", Map.ofEntries(
          Map.entry("Namespace", V1.Namespace.getDefaultInstance()),
          Map.entry("NamespaceList", V1.NamespaceList.getDefaultInstance()),
          Map.entry("Node", V1.Node.getDefaultInstance()),
          Map.entry("NodeList", V1.NodeList.getDefaultInstance()),
          Map.entry("Pod", V1.Pod.getDefaultInstance()),
          Map.entry("PodList", V1.PodList.getDefaultInstance()),
          Map.entry("Service", V1.Service.getDefaultInstance()),
          Map.entry("ServiceList", V1.ServiceList.getDefaultInstance()),
          Map.entry("Endpoints", V1.Endpoints.getDefaultInstance()),
          Map.entry("EndpointsList", V1.EndpointsList.getDefaultInstance()),
          Map.entry("Event", V1.Event.getDefaultInstance()),
          Map.entry("EventList", V1.EventList.getDefaultInstance()),
          Map.entry("ConfigMap", V1.ConfigMap.getDefaultInstance()),
          Map.entry("ConfigMapList", V1.ConfigMapList.getDefaultInstance()),
          Map.entry("Secret", V1.Secret.getDefaultInstance()),
          Map.entry("SecretList", V1.SecretList.getDefaultInstance()),
          Map.entry("ServiceAccount", V1.ServiceAccount.getDefaultInstance()),
          Map.entry("ServiceAccountList", V1.ServiceAccountList.getDefaultInstance()),
          Map.entry("ReplicationController", V1.ReplicationController.getDefaultInstance()),
          Map.entry("ReplicationControllerList", V1.ReplicationControllerList.getDefaultInstance()),
          Map.entry("PersistentVolume", V1.PersistentVolume.getDefaultInstance()),
          Map.entry("PersistentVolumeList", V1.PersistentVolumeList.getDefaultInstance()),
          Map.entry("PersistentVolumeClaim", V1.PersistentVolumeClaim.getDefaultInstance()),
          Map.entry("PersistentVolumeClaimList", V1.PersistentVolumeClaimList.getDefaultInstance()),
          Map.entry("ResourceQuota", V1.ResourceQuota.getDefaultInstance()),
          Map.entry("ResourceQuotaList", V1.ResourceQuotaList.getDefaultInstance()),
          Map.entry("Binding", V1.Binding.getDefaultInstance()),
          Map.entry("LimitRange", V1.LimitRange.getDefaultInstance()),
          Map.entry("LimitRangeList", V1.LimitRangeList.getDefaultInstance())),
      "apps/v1", Map.ofEntries(
          Map.entry("Deployment", V1Apps.Deployment.getDefaultInstance()),
          Map.entry("DeploymentList", V1Apps.DeploymentList.getDefaultInstance()),
          Map.entry("ReplicaSet", V1Apps.ReplicaSet.getDefaultInstance()),
          Map.entry("ReplicaSetList", V1Apps.ReplicaSetList.getDefaultInstance()),
          Map.entry("DaemonSet", V1Apps.DaemonSet.getDefaultInstance()),
          Map.entry("DaemonSetList", V1Apps.DaemonSetList.getDefaultInstance()),
          Map.entry("StatefulSet", V1Apps.StatefulSet.getDefaultInstance()),
          Map.entry("StatefulSetList", V1Apps.StatefulSetList.getDefaultInstance()),
          Map.entry("ControllerRevision", V1Apps.ControllerRevision.getDefaultInstance()),
          Map.entry("ControllerRevisionList", V1Apps.ControllerRevisionList.getDefaultInstance())),
      "batch/v1", Map.of(
          "Job", V1Batch.Job.getDefaultInstance(),
          "JobList", V1Batch.JobList.getDefaultInstance(),
          "CronJob", V1Batch.CronJob.getDefaultInstance(),
          "CronJobList", V1Batch.CronJobList.getDefaultInstance()),
      "storage.k8s.io/v1", Map.of(
          "StorageClass", V1Storage.StorageClass.getDefaultInstance(),
          "StorageClassList", V1Storage.StorageClassList.getDefaultInstance()),
      "networking.k8s.io/v1", Map.of(
          "Ingress", V1Networking.Ingress.getDefaultInstance(),
          "IngressList", V1Networking.IngressList.getDefaultInstance(),
          "IngressClass", V1Networking.IngressClass.getDefaultInstance(),
          "IngressClassList", V1Networking.IngressClassList.getDefaultInstance()),
      "autoscaling/v1", Map.of(
          "Scale", V1Autoscaling.Scale.getDefaultInstance(),
          "HorizontalPodAutoscaler", V1Autoscaling.HorizontalPodAutoscaler.getDefaultInstance(),
          "HorizontalPodAutoscalerList", V1Autoscaling.HorizontalPodAutoscalerList.getDefaultInstance()),
      // client-java-proto 25 has no autoscaling/v2 classes; v2's messages are v2beta2's with the
      // same field numbers and names (kube copied v2beta2 to v2), so they encode v2 unchanged
      "autoscaling/v2", Map.of(
          "HorizontalPodAutoscaler", io.kubernetes.client.proto.V2beta2Autoscaling.HorizontalPodAutoscaler
              .getDefaultInstance(),
          "HorizontalPodAutoscalerList", io.kubernetes.client.proto.V2beta2Autoscaling.HorizontalPodAutoscalerList
              .getDefaultInstance()),
      "policy/v1", Map.of(
          "PodDisruptionBudget", V1Policy.PodDisruptionBudget.getDefaultInstance(),
          "PodDisruptionBudgetList", V1Policy.PodDisruptionBudgetList.getDefaultInstance(),
          "Eviction", V1Policy.Eviction.getDefaultInstance()),
      "rbac.authorization.k8s.io/v1", Map.of(
          "Role", V1Rbac.Role.getDefaultInstance(),
          "RoleList", V1Rbac.RoleList.getDefaultInstance(),
          "RoleBinding", V1Rbac.RoleBinding.getDefaultInstance(),
          "RoleBindingList", V1Rbac.RoleBindingList.getDefaultInstance(),
          "ClusterRole", V1Rbac.ClusterRole.getDefaultInstance(),
          "ClusterRoleList", V1Rbac.ClusterRoleList.getDefaultInstance(),
          "ClusterRoleBinding", V1Rbac.ClusterRoleBinding.getDefaultInstance(),
          "ClusterRoleBindingList", V1Rbac.ClusterRoleBindingList.getDefaultInstance()));

  /**
   * meta.k8s.io kinds: registered in every group version, so a client sends them with the
   * apiVersion of the resource it talks to ({@code apps/v1} DeleteOptions).
   */
  private static final Map<String, Message> META_KINDS = Map.of(
      "Status", Meta.Status.getDefaultInstance(),
      "DeleteOptions", Meta.DeleteOptions.getDefaultInstance(),
      "WatchEvent", Meta.WatchEvent.getDefaultInstance());

  private MessageTypes() {}

  /** The message type for an {@code apiVersion}/{@code kind}, when it has one. */
  public static Optional<Message> forKind(String apiVersion, String kind) {
    Message meta = META_KINDS.get(kind);
    if (meta != null) {
      return Optional.of(meta);
    }
    return Optional.ofNullable(BY_GROUP_VERSION.getOrDefault(apiVersion, Map.of()).get(kind));
  }
}
