package io.steuermann.engine.controllers;

import io.steuermann.engine.controllers.daemonset.DaemonSetController;
import io.steuermann.engine.controllers.cronjob.CronJobController;
import io.steuermann.engine.controllers.deployment.DeploymentController;
import io.steuermann.engine.controllers.job.JobController;
import io.steuermann.engine.controllers.replicaset.ReplicaSetController;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.objects.ObjectControllers;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which controller acts for which object. ReplicaSets, Deployments, Jobs and CronJobs reconcile themselves:
 * their entities run these controllers as children. The cluster-wide controllers (scheduler,
 * node lifecycle, garbage collector) are cluster singletons, started by {@link Singletons}.
 */
public final class Controllers {
  private Controllers() {}

  /** The per-object controllers; {@code context} is read when the first one starts. */
  public static ObjectControllers perObject(Supplier<ControllerContext> context) {
    return key -> {
      // Kubernetes' ReplicationController manager is its ReplicaSet controller behind an adapter;
      // here the one difference, the selector's form, is LabelSelector.ofWorkload's
      if (key.kind() == Kind.REPLICA_SET || key.kind() == Kind.REPLICATION_CONTROLLER) {
        return Optional.of(ReplicaSetController.create(context.get()));
      }
      if (key.kind() == Kind.DEPLOYMENT) {
        return Optional.of(DeploymentController.create(context.get()));
      }
      if (key.kind() == Kind.STATEFUL_SET) {
        return Optional.of(io.steuermann.engine.controllers.statefulset.StatefulSetController.create(context.get()));
      }
      if (key.kind() == Kind.DAEMON_SET) {
        return Optional.of(DaemonSetController.create(context.get()));
      }
      if (key.kind() == Kind.JOB) {
        return Optional.of(JobController.create(context.get()));
      }
      if (key.kind() == Kind.CRON_JOB) {
        return Optional.of(CronJobController.create(context.get()));
      }
      if (key.kind() == Kind.HORIZONTAL_POD_AUTOSCALER) {
        return Optional.of(io.steuermann.engine.controllers.autoscaling.AutoscalerController.create(context.get()));
      }
      if (key.kind() == Kind.POD_DISRUPTION_BUDGET) {
        return Optional.of(io.steuermann.engine.controllers.disruption.DisruptionBudgetController.create(context.get()));
      }
      if (key.kind() == Kind.RESOURCE_QUOTA) {
        return Optional.of(io.steuermann.engine.quota.QuotaController.create(context.get()));
      }
      return Optional.empty();
    };
  }
}
