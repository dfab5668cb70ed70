package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.network.NodePodCidrs;
import io.steuermann.engine.schema.KindSchemas;
import io.steuermann.engine.schema.StructuralCheck;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.validation.BatchValidation;
import io.steuermann.engine.validation.ConfigDataValidation;
import io.steuermann.engine.validation.ContainerLifecycleValidation;
import io.steuermann.engine.validation.ContainerEnvValidation;
import io.steuermann.engine.validation.DaemonSetValidation;
import io.steuermann.engine.validation.FieldError;
import io.steuermann.engine.validation.RbacValidation;
import io.steuermann.engine.validation.IngressValidation;
import io.steuermann.engine.validation.StorageValidation;
import io.steuermann.engine.validation.Names;
import io.steuermann.engine.validation.PodDnsValidation;
import io.steuermann.engine.validation.StatefulSetValidation;
import io.steuermann.engine.validation.VolumeValidation;
import io.steuermann.engine.validation.Validation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Validates objects as Kubernetes does, naming every bad field. Called by the entity for
 * each write, after defaulting, so a refused write leaves no trace.
 */
public final class ObjectValidator {
  private ObjectValidator() {}

  /** Validation of a new object. */
  public static List<ApiStatus.Cause> validate(Kind kind, ObjectNode object) {
    return validate(kind, object, null);
  }

  /** {@code old}: the object an update replaces, or null for a new one. */
  private static List<ApiStatus.Cause> validate(Kind kind, ObjectNode object, ObjectNode old) {
    List<FieldError> errors = new ArrayList<>();
    if (StructuralCheck.enabled()) {
      // the whole object as stored, so a patch is checked after it is applied
      StructuralCheck.Result structure = StructuralCheck.check(KindSchemas.fromClasspath().of(kind), object);
      if (!structure.typeErrors().isEmpty()) {
        return causes(structure.all());
      }
      errors.addAll(structure.enumErrors());
    }
    Validation.NameRule names = switch (kind) {
      case NAMESPACE, SERVICE -> Validation.NameRule.DNS_LABEL;
      case ROLE, CLUSTER_ROLE, ROLE_BINDING, CLUSTER_ROLE_BINDING -> Validation.NameRule.PATH_SEGMENT;
      default -> Validation.NameRule.DNS_SUBDOMAIN;
    };
    errors.addAll(Validation.validateObjectMeta(object.path("metadata"), kind.namespaced(), names));
    JsonNode spec = object.get("spec");
    if (spec != null && !spec.isObject() && !spec.isNull()) {
      errors.add(FieldError.invalid("spec", spec.toString(), "must be an object"));
    } else {
      switch (kind) {
        case POD -> podSpec("spec", object.path("spec"), errors);
        case REPLICA_SET, DEPLOYMENT -> workload(kind, object.path("spec"), errors);
        case REPLICATION_CONTROLLER -> {
          errors.addAll(io.steuermann.engine.validation.ReplicationControllerValidation.spec(object.path("spec")));
          if (object.path("spec").path("template").isObject()) {
            podSpec("spec.template.spec", object.path("spec").path("template").path("spec"), errors);
          }
        }
        case DAEMON_SET -> {
          workload(kind, object.path("spec"), errors);
          errors.addAll(DaemonSetValidation.spec(object.path("spec")));
        }
        case STATEFUL_SET -> {
          workload(kind, StatefulSetValidation.withClaimVolumes(object.path("spec")), errors);
          errors.addAll(StatefulSetValidation.spec(object.path("spec")));
        }
        case CONTROLLER_REVISION -> errors.addAll(DaemonSetValidation.controllerRevision(object));
        case SERVICE -> {
          String name = object.path("metadata").path("name").asText("");
          if (!name.isEmpty()) {
            Names.dns1035Label(name).forEach(problem -> errors.add(FieldError.invalid("metadata.name", name, problem)));
          }
          service(object.path("spec"), errors);
          errors.addAll(io.steuermann.engine.services.ServiceSpecs.validateStatus(object.path("status")));
        }
        case NODE -> errors.addAll(NodePodCidrs.validate(object.path("spec")));
        case CONFIG_MAP -> errors.addAll(ConfigDataValidation.configMap(object));
        case SECRET -> errors.addAll(ConfigDataValidation.secret(object));
        case PERSISTENT_VOLUME -> errors.addAll(StorageValidation.persistentVolume(object));
        case PERSISTENT_VOLUME_CLAIM -> errors.addAll(StorageValidation.persistentVolumeClaim(object));
        case STORAGE_CLASS -> errors.addAll(StorageValidation.storageClass(object));
        case INGRESS -> errors.addAll(IngressValidation.ingress(object, old));
        case INGRESS_CLASS -> errors.addAll(IngressValidation.ingressClass(object, old));
        case RESOURCE_QUOTA -> errors.addAll(io.steuermann.engine.validation.QuotaValidation.quota(object));
        case ENDPOINT_SLICE -> errors.addAll(
            io.steuermann.engine.validation.EndpointSliceValidation.slice(object, old));
        case JOB -> {
          errors.addAll(BatchValidation.job(object));
          templateSpec("spec.template", object.path("spec").path("template"), errors);
        }
        case ROLE -> errors.addAll(RbacValidation.role(object, true));
        case CLUSTER_ROLE -> errors.addAll(RbacValidation.role(object, false));
        case ROLE_BINDING -> errors.addAll(RbacValidation.binding(object, true));
        case CLUSTER_ROLE_BINDING -> errors.addAll(RbacValidation.binding(object, false));
        case POD_DISRUPTION_BUDGET -> errors.addAll(
            io.steuermann.engine.validation.DisruptionBudgetValidation.spec(object.path("spec")));
        case LIMIT_RANGE -> errors.addAll(io.steuermann.engine.validation.LimitRangeValidation.spec(object.path("spec")));
        case HORIZONTAL_POD_AUTOSCALER -> errors.addAll(
            io.steuermann.engine.validation.HpaValidation.spec(object.path("spec")));
        case CRON_JOB -> {
          errors.addAll(BatchValidation.cronJob(object, old));
          templateSpec("spec.jobTemplate.spec.template", object.path("spec").path("jobTemplate").path("spec")
              .path("template"), errors);
        }
        default -> { }
      }
    }
    return causes(errors);
  }

  /** Validation of an update: the new object must be valid and immutable fields unchanged. */
  public static List<ApiStatus.Cause> validateUpdate(Kind kind, ObjectNode old, ObjectNode updated) {
    List<ApiStatus.Cause> causes = new ArrayList<>(validate(kind, updated, old));
    if (causes.stream().anyMatch(c -> FieldError.TYPE_INVALID.equals(c.reason()))) {
      // the comparisons below read the fields as their types; a mistyped object is refused as it is
      return causes;
    }
    List<FieldError> errors = new ArrayList<>();
    switch (kind) {
      case REPLICA_SET, DEPLOYMENT, DAEMON_SET -> immutable("spec.selector", old.path("spec").path("selector"),
          updated.path("spec").path("selector"), errors);
      case SERVICE -> errors.addAll(io.steuermann.engine.services.ServiceSpecs.validateUpdate(old.path("spec"),
          updated.path("spec")));
      case POD -> podImmutable(old.path("spec"), updated.path("spec"), errors);
      case NODE -> errors.addAll(NodePodCidrs.validateUpdate(old.path("spec"), updated.path("spec")));
      case CONFIG_MAP -> errors.addAll(ConfigDataValidation.configMapUpdate(old, updated));
      case SECRET -> errors.addAll(ConfigDataValidation.secretUpdate(old, updated));
      case STATEFUL_SET -> errors.addAll(StatefulSetValidation.update(old, updated));
      case CONTROLLER_REVISION -> immutable("data", old.path("data"), updated.path("data"), errors);
      case JOB -> errors.addAll(BatchValidation.jobUpdate(old, updated));
      case PERSISTENT_VOLUME -> errors.addAll(StorageValidation.persistentVolumeUpdate(old, updated));
      case PERSISTENT_VOLUME_CLAIM -> errors.addAll(StorageValidation.persistentVolumeClaimUpdate(old, updated));
      case STORAGE_CLASS -> errors.addAll(StorageValidation.storageClassUpdate(old, updated));
      case ROLE_BINDING, CLUSTER_ROLE_BINDING -> errors.addAll(RbacValidation.bindingUpdate(old, updated));
      default -> { }
    }
    causes.addAll(causes(errors));
    return causes;
  }

  /** A pod template of a Job or CronJob: its pod spec, if it has one (its absence is reported by the kind's checks). */
  private static void templateSpec(String path, JsonNode template, List<FieldError> errors) {
    if (template.isObject()) {
      podSpec(path + ".spec", template.path("spec"), errors);
    }
  }

  private static void podSpec(String path, JsonNode spec, List<FieldError> errors) {
    JsonNode containers = spec.path("containers");
    if (!containers.isArray() || containers.isEmpty()) {
      errors.add(FieldError.required(path + ".containers", ""));
      return;
    }
    // names are unique across app and init containers; kube checks the app containers first
    Set<String> names = new HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      String at = path + ".containers[" + i + "]";
      container(at, containers.get(i), names, errors);
      ContainerLifecycleValidation.appContainer(at, containers.get(i), spec.path("terminationGracePeriodSeconds"),
          errors);
    }
    JsonNode initContainers = spec.path("initContainers");
    for (int i = 0; i < initContainers.size(); i++) {
      String at = path + ".initContainers[" + i + "]";
      container(at, initContainers.get(i), names, errors);
      ContainerLifecycleValidation.initContainer(at, initContainers.get(i), errors);
    }
    PodDnsValidation.validate(path, spec, errors);
    VolumeValidation.validate(path, spec, errors);
    String restart = spec.path("restartPolicy").asText("Always");
    if (!List.of("Always", "OnFailure", "Never").contains(restart)) {
      errors.add(FieldError.notSupported(path + ".restartPolicy", restart,
          List.of("Always", "OnFailure", "Never")));
    }
  }

  /** What every container of a pod must be, init or app: {@code at} names it in the error's field. */
  private static void container(String at, JsonNode c, Set<String> names, List<FieldError> errors) {
    String name = c.path("name").asText("");
    if (name.isEmpty()) {
      errors.add(FieldError.required(at + ".name", ""));
    } else {
      for (String problem : Names.dns1123Label(name)) {
        errors.add(FieldError.invalid(at + ".name", name, problem));
      }
      if (!names.add(name)) {
        errors.add(FieldError.duplicate(at + ".name", name));
      }
    }
    if (c.path("image").asText("").isBlank()) {
      errors.add(FieldError.required(at + ".image", ""));
    }
    ContainerEnvValidation.validate(at, c, errors);
    oneOf(at + ".imagePullPolicy", c.path("imagePullPolicy"), List.of("Always", "IfNotPresent", "Never"), errors);
    oneOf(at + ".terminationMessagePolicy", c.path("terminationMessagePolicy"),
        List.of("File", "FallbackToLogsOnError"), errors);
    JsonNode ports = c.path("ports");
    for (int p = 0; p < ports.size(); p++) {
      JsonNode port = ports.get(p);
      int number = port.path("containerPort").asInt(0);
      if (number < 1 || number > 65535) {
        errors.add(FieldError.invalid(at + ".ports[" + p + "].containerPort",
            port.path("containerPort").toString(), "must be between 1 and 65535, inclusive"));
      }
      JsonNode hostPort = port.path("hostPort");
      if (hostPort.isNumber() && hostPort.asLong() != 0 && (hostPort.asLong() < 1 || hostPort.asLong() > 65535)) {
        errors.add(FieldError.invalid(at + ".ports[" + p + "].hostPort", hostPort.asLong(),
            "must be between 1 and 65535, inclusive"));
      }
      protocol(at + ".ports[" + p + "].protocol", port, errors);
      PodDnsValidation.portName(at + ".ports[" + p + "].name", port.path("name").asText(""), errors);
    }
  }

  private static void workload(Kind kind, JsonNode spec, List<FieldError> errors) {
    JsonNode replicas = spec.path("replicas");
    if (!replicas.isMissingNode() && (!replicas.canConvertToInt() || replicas.asInt() < 0)) {
      errors.add(FieldError.invalid("spec.replicas", replicas.toString(),
          "must be greater than or equal to 0"));
    }
    JsonNode selectorJson = spec.path("selector");
    JsonNode templateLabels = spec.path("template").path("metadata").path("labels");
    if (!selectorJson.isObject() || selectorJson.isEmpty()) {
      errors.add(FieldError.required("spec.selector", ""));
    } else {
      try {
        LabelSelector selector = LabelSelector.fromJson(selectorJson);
        if (selector.isEmpty()) {
          errors.add(FieldError.invalid("spec.selector", selectorJson.toString(),
              "empty selector is invalid for " + switch (kind) {
                case DAEMON_SET -> "daemonset";
                case STATEFUL_SET -> "statefulset";
                default -> "deployment";
              }));
        } else if (!selector.matches(Meta.stringMap(templateLabels))) {
          errors.add(FieldError.invalid("spec.template.metadata.labels", templateLabels.toString(),
              "`selector` does not match template `labels`"));
        }
      } catch (SelectorException e) {
        errors.add(FieldError.invalid("spec.selector", selectorJson.toString(), e.getMessage()));
      }
    }
    if (!spec.path("template").isObject()) {
      errors.add(FieldError.required("spec.template", ""));
    } else {
      podSpec("spec.template.spec", spec.path("template").path("spec"), errors);
    }
    if (kind == Kind.DEPLOYMENT) {
      String type = spec.path("strategy").path("type").asText("RollingUpdate");
      if (!List.of("RollingUpdate", "Recreate").contains(type)) {
        errors.add(FieldError.notSupported("spec.strategy.type", type, List.of("Recreate", "RollingUpdate")));
      }
    }
  }

  private static void service(JsonNode spec, List<FieldError> errors) {
    errors.addAll(io.steuermann.engine.services.ServiceSpecs.validate(spec));
  }

  /** An enum-like string field: absent or null is left to defaulting, anything else must be listed. */
  private static void oneOf(String path, JsonNode value, List<String> supported, List<FieldError> errors) {
    if (value.isTextual() && !supported.contains(value.textValue())) {
      errors.add(FieldError.notSupported(path, value.textValue(), supported));
    }
  }

  private static void protocol(String path, JsonNode port, List<FieldError> errors) {
    String protocol = port.path("protocol").asText("TCP");
    if (!List.of("TCP", "UDP", "SCTP").contains(protocol)) {
      errors.add(FieldError.notSupported(path, protocol, List.of("SCTP", "TCP", "UDP")));
    }
  }

  private static void immutable(String path, JsonNode before, JsonNode after, List<FieldError> errors) {
    if (!Objects.equals(before, after)) {
      errors.add(FieldError.invalid(path, after.toString(), "field is immutable"));
    }
  }

  /** Kubernetes lets only a few pod spec fields change after creation. */
  private static void podImmutable(JsonNode before, JsonNode after, List<FieldError> errors) {
    if (!(before instanceof ObjectNode oldSpec) || !(after instanceof ObjectNode newSpec)) {
      if (!before.equals(after)) {
        errors.add(FieldError.forbidden("spec", "pod updates may not remove the spec"));
      }
      return;
    }
    ObjectNode a = oldSpec.deepCopy();
    ObjectNode b = newSpec.deepCopy();
    for (ObjectNode spec : List.of(a, b)) {
      spec.remove(List.of("activeDeadlineSeconds", "tolerations", "terminationGracePeriodSeconds"));
      for (String list : new String[] {"containers", "initContainers"}) {
        for (JsonNode c : spec.path(list)) {
          if (c instanceof ObjectNode container) {
            container.remove("image");
          }
        }
      }
    }
    // nodeName may be set once, by binding
    if (before.path("nodeName").asText("").isEmpty()) {
      a.remove("nodeName");
      b.remove("nodeName");
    }
    if (!a.equals(b)) {
      errors.add(FieldError.forbidden("spec",
          "pod updates may not change fields other than `spec.containers[*].image`, "
              + "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, "
              + "`spec.tolerations` (only additions to existing tolerations) or "
              + "`spec.terminationGracePeriodSeconds`"));
    }
  }

  private static List<ApiStatus.Cause> causes(List<FieldError> errors) {
    return errors.stream().map(e -> new ApiStatus.Cause(e.type(), e.message(), e.field())).toList();
  }
}
