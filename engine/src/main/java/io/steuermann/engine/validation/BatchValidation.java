package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.controllers.cronjob.CronSchedule;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Kubernetes' semantic checks of batch/v1 Jobs and CronJobs (the pod template itself is
 * checked as any pod spec): counts not negative, a selector that matches the template, a
 * restartPolicy of Never or OnFailure, completions for an Indexed Job, a schedule that parses,
 * a known time zone; and on update the fields Kubernetes keeps immutable.
 */
public final class BatchValidation {
  /** The completion index limit of an Indexed Job, as Kubernetes'. */
  static final int MAX_INDEXED_COMPLETIONS = 100_000;

  private BatchValidation() {}

  /** A Job: {@code metadata} and {@code spec} (its template's pod spec is checked elsewhere). */
  public static List<FieldError> job(JsonNode job) {
    List<FieldError> errors = new ArrayList<>();
    String name = job.path("metadata").path("name").asText("");
    // the name is the value of the job-name label, and part of Indexed pods' hostnames
    if (name.length() > 63) {
      errors.add(FieldError.invalid("metadata.name", name, "must be no more than 63 characters"));
    }
    jobSpec("spec", job.path("spec"), false, errors);
    return errors;
  }

  /** A CronJob: its schedule, time zone, policies, and its Job template's spec. */
  public static List<FieldError> cronJob(JsonNode cronJob, JsonNode old) {
    List<FieldError> errors = new ArrayList<>();
    String name = cronJob.path("metadata").path("name").asText("");
    // the Job names add 11 characters: "-" and the scheduled time in minutes
    if (name.length() > 52) {
      errors.add(FieldError.invalid("metadata.name", name, "must be no more than 52 characters"));
    }
    JsonNode spec = cronJob.path("spec");
    String schedule = spec.path("schedule").asText("");
    JsonNode tzField = spec.path("timeZone");
    String timeZone = tzField.isTextual() ? tzField.asText() : null;
    if (schedule.isEmpty()) {
      errors.add(FieldError.required("spec.schedule", ""));
    } else {
      boolean hadTz = old != null && CronSchedule.timeZonePrefix(old.path("spec").path("schedule").asText(""))
          .isPresent();
      if (CronSchedule.timeZonePrefix(schedule).isPresent()) {
        if (timeZone != null) {
          errors.add(FieldError.invalid("spec.schedule", schedule,
              "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
        } else if (!hadTz) {
          errors.add(FieldError.invalid("spec.schedule", schedule,
              "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
        }
      }
      try {
        CronSchedule.parse(schedule, null);
      } catch (CronSchedule.InvalidSchedule e) {
        errors.add(FieldError.invalid("spec.schedule", schedule, e.getMessage()));
      }
    }
    if (timeZone != null) {
      if (timeZone.isEmpty() || "Local".equalsIgnoreCase(timeZone)) {
        errors.add(FieldError.invalid("spec.timeZone", timeZone,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
      } else if (CronSchedule.zone(timeZone).isEmpty()) {
        errors.add(FieldError.invalid("spec.timeZone", timeZone, "unknown time zone " + timeZone));
      }
    }
    JsonNode policy = spec.path("concurrencyPolicy");
    if (policy.isTextual() && !List.of("Allow", "Forbid", "Replace").contains(policy.asText())) {
      errors.add(FieldError.notSupported("spec.concurrencyPolicy", policy.asText(), List.of("Allow", "Forbid", "Replace")));
    }
    nonNegative("spec.startingDeadlineSeconds", spec.path("startingDeadlineSeconds"), errors);
    nonNegative("spec.successfulJobsHistoryLimit", spec.path("successfulJobsHistoryLimit"), errors);
    nonNegative("spec.failedJobsHistoryLimit", spec.path("failedJobsHistoryLimit"), errors);
    JsonNode template = spec.path("jobTemplate");
    if (!template.isObject()) {
      errors.add(FieldError.required("spec.jobTemplate", ""));
    } else {
      jobSpec("spec.jobTemplate.spec", template.path("spec"), true, errors);
    }
    return errors;
  }

  private static void jobSpec(String path, JsonNode spec, boolean inTemplate, List<FieldError> errors) {
    for (String field : List.of("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished")) {
      nonNegative(path + "." + field, spec.path(field), errors);
    }
    JsonNode deadline = spec.path("activeDeadlineSeconds");
    if (deadline.isNumber() && deadline.asLong() <= 0) {
      errors.add(FieldError.invalid(path + ".activeDeadlineSeconds", deadline.asLong(), "must be greater than 0"));
    }
    JsonNode mode = spec.path("completionMode");
    if (mode.isTextual() && !List.of("NonIndexed", "Indexed").contains(mode.asText())) {
      errors.add(FieldError.notSupported(path + ".completionMode", mode.asText(), List.of("NonIndexed", "Indexed")));
    }
    if ("Indexed".equals(mode.asText())) {
      JsonNode completions = spec.path("completions");
      if (!completions.isNumber()) {
        errors.add(FieldError.required(path + ".completions", "when completion mode is Indexed"));
      } else if (completions.asInt() > MAX_INDEXED_COMPLETIONS) {
        errors.add(FieldError.invalid(path + ".completions", completions.asInt(),
            "must be less than or equal to " + MAX_INDEXED_COMPLETIONS + " when completion mode is Indexed"));
      }
      if (spec.path("parallelism").asInt(0) > MAX_INDEXED_COMPLETIONS) {
        errors.add(FieldError.invalid(path + ".parallelism", spec.path("parallelism").asInt(),
            "must be less than or equal to " + MAX_INDEXED_COMPLETIONS + " when completion mode is Indexed"));
      }
    }
    boolean manual = spec.path("manualSelector").asBoolean(false);
    JsonNode selectorJson = spec.path("selector");
    JsonNode labels = spec.path("template").path("metadata").path("labels");
    if (inTemplate) {
      if (!selectorJson.isMissingNode() && !selectorJson.isNull() && !manual) {
        errors.add(FieldError.forbidden(path + ".selector", "`selector` will be auto-generated"));
      }
    } else if (!selectorJson.isObject() || selectorJson.isEmpty()) {
      errors.add(FieldError.required(path + ".selector", ""));
    } else {
      try {
        LabelSelector selector = LabelSelector.fromJson(selectorJson);
        if (selector.isEmpty()) {
          errors.add(FieldError.invalid(path + ".selector", selectorJson.toString(), "empty selector is invalid for job"));
        } else if (!selector.matches(Meta.stringMap(labels))) {
          errors.add(FieldError.invalid(path + ".template.metadata.labels", labels.toString(),
              "`selector` does not match template `labels`"));
        }
      } catch (SelectorException e) {
        errors.add(FieldError.invalid(path + ".selector", selectorJson.toString(), e.getMessage()));
      }
    }
    if (!spec.path("template").isObject()) {
      errors.add(FieldError.required(path + ".template", ""));
      return;
    }
    String restart = spec.path("template").path("spec").path("restartPolicy").asText("");
    if (!List.of("OnFailure", "Never").contains(restart)) {
      errors.add(FieldError.notSupported(path + ".template.spec.restartPolicy", restart, List.of("OnFailure", "Never")));
    } else if (spec.path("podFailurePolicy").isObject() && !"Never".equals(restart)) {
      errors.add(FieldError.invalid(path + ".template.spec.restartPolicy", restart,
          "only \"Never\" is supported when podFailurePolicy is specified"));
    }
    podFailurePolicy(path + ".podFailurePolicy", spec.path("podFailurePolicy"), errors);
  }

  /** Kubernetes' checks of a podFailurePolicy's rules (the schema checks their types). */
  private static void podFailurePolicy(String path, JsonNode policy, List<FieldError> errors) {
    JsonNode rules = policy.path("rules");
    if (rules.size() > 20) {
      errors.add(FieldError.tooMany(path + ".rules", rules.size(), 20));
    }
    for (int i = 0; i < rules.size(); i++) {
      JsonNode rule = rules.get(i);
      String at = path + ".rules[" + i + "]";
      String action = rule.path("action").asText("");
      if (!List.of("FailJob", "FailIndex", "Ignore", "Count").contains(action)) {
        errors.add(FieldError.notSupported(at + ".action", action, List.of("Count", "FailIndex", "FailJob", "Ignore")));
      }
      boolean codes = rule.path("onExitCodes").isObject();
      boolean conditions = rule.path("onPodConditions").isArray() && !rule.path("onPodConditions").isEmpty();
      if (codes && conditions) {
        errors.add(FieldError.invalid(at, rule.toString(), "specifying both OnExitCodes and OnPodConditions is not supported"));
      } else if (!codes && !conditions) {
        errors.add(FieldError.invalid(at, rule.toString(), "specifying one of OnExitCodes and OnPodConditions is required"));
      }
      if (codes) {
        JsonNode onExit = rule.path("onExitCodes");
        String operator = onExit.path("operator").asText("");
        if (!List.of("In", "NotIn").contains(operator)) {
          errors.add(FieldError.notSupported(at + ".onExitCodes.operator", operator, List.of("In", "NotIn")));
        }
        JsonNode values = onExit.path("values");
        if (values.isEmpty()) {
          errors.add(FieldError.required(at + ".onExitCodes.values", "at least one value is required"));
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int v = 0; v < values.size(); v++) {
          int code = values.get(v).asInt();
          if (!seen.add(code)) {
            errors.add(FieldError.duplicate(at + ".onExitCodes.values[" + v + "]", code));
          } else if (code == 0 && "In".equals(operator)) {
            errors.add(FieldError.invalid(at + ".onExitCodes.values[" + v + "]", code, "must not be 0 for the In operator"));
          }
        }
      }
    }
  }

  /**
   * What a Job update may not change, as Kubernetes: the selector, the completion mode, the
   * pod template, and completions (except for an Indexed Job whose completions change with
   * its parallelism, Kubernetes' "elastic" Indexed Jobs).
   */
  public static List<FieldError> jobUpdate(JsonNode old, JsonNode updated) {
    List<FieldError> errors = new ArrayList<>();
    JsonNode before = old.path("spec");
    JsonNode after = updated.path("spec");
    immutable("spec.selector", before.path("selector"), after.path("selector"), errors);
    immutable("spec.completionMode", before.path("completionMode"), after.path("completionMode"), errors);
    // a suspended Job that never started may change where its pods go, as Kubernetes allows
    // (the template's labels, annotations, nodeSelector, tolerations, affinity, schedulingGates)
    boolean neverStarted = before.path("suspend").asBoolean(false) && !old.path("status").has("startTime");
    immutable("spec.template", neverStarted ? withoutScheduling(before.path("template")) : before.path("template"),
        neverStarted ? withoutScheduling(after.path("template")) : after.path("template"), errors);
    boolean elastic = "Indexed".equals(after.path("completionMode").asText())
        && after.path("completions").asInt(-1) == after.path("parallelism").asInt(-2);
    if (!elastic) {
      immutable("spec.completions", before.path("completions"), after.path("completions"), errors);
    }
    return errors;
  }

  private static JsonNode withoutScheduling(JsonNode template) {
    if (!(template instanceof com.fasterxml.jackson.databind.node.ObjectNode t)) {
      return template;
    }
    com.fasterxml.jackson.databind.node.ObjectNode copy = t.deepCopy();
    if (copy.path("metadata") instanceof com.fasterxml.jackson.databind.node.ObjectNode meta) {
      meta.remove(List.of("labels", "annotations"));
    }
    if (copy.path("spec") instanceof com.fasterxml.jackson.databind.node.ObjectNode spec) {
      spec.remove(List.of("nodeSelector", "tolerations", "affinity", "schedulingGates"));
    }
    return copy;
  }

  private static void immutable(String path, JsonNode before, JsonNode after, List<FieldError> errors) {
    if (!Objects.equals(before, after)) {
      errors.add(FieldError.invalid(path, after.toString(), "field is immutable"));
    }
  }

  private static void nonNegative(String path, JsonNode value, List<FieldError> errors) {
    if (value.isNumber() && value.asLong() < 0) {
      errors.add(FieldError.invalid(path, value.asLong(), "must be greater than or equal to 0"));
    }
  }
}
