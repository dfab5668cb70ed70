package io.steuermann.http.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.steuermann.http.table.Printers.Column;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The Job and CronJob columns and cells, as kube-apiserver 1.32's printJob and printCronJob. */
final class BatchPrinters {
  private static final String D_NAME = "Name must be unique within a namespace.";
  private static final String D_AGE = "CreationTimestamp is a timestamp representing the server time when this object was created.";
  private static final String D_SELECTOR = "A label query over pods that should match the pod count. Normally, the system "
      + "sets this field for you. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors";

  private BatchPrinters() {}

  private static Column col(String name, String type, int priority, String description) {
    return new Column(name, type, "", priority, description);
  }

  private static List<Column> templateColumns() {
    return List.of(
        col("Containers", "string", 1, "Names of each container in the template."),
        col("Images", "string", 1, "Images referenced by each container in the template."),
        col("Selector", "string", 1, D_SELECTOR));
  }

  static List<Column> jobColumns() {
    return concat(List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Status", "string", 0, "Status of the job."),
        col("Completions", "string", 0, "The number of pods which reached phase Succeeded. The value increases "
            + "monotonically for a given spec. However, it may decrease in reaction to scale down of elastic indexed jobs."),
        col("Duration", "string", 0, "Time required to complete the job."),
        col("Age", "string", 0, D_AGE)), templateColumns());
  }

  static List<Column> cronJobColumns() {
    return concat(List.of(new Column("Name", "string", "name", 0, D_NAME),
        col("Schedule", "string", 0, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
        col("Timezone", "string", 0, "The time zone name for the given schedule, see "
            + "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the "
            + "time zone of the kube-controller-manager process. The set of valid time zone names and the time zone "
            + "offset is loaded from the system-wide time zone database by the API server during CronJob validation and "
            + "the controller manager during execution. If no system-wide time zone database can be found a bundled "
            + "version of the database is used instead. If the time zone name becomes invalid during the lifetime of a "
            + "CronJob or due to a change in host configuration, the controller will stop creating new new Jobs and will "
            + "create a system event with the reason UnknownTimeZone. More information can be found in "
            + "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#time-zones"),
        col("Suspend", "boolean", 0, "This flag tells the controller to suspend subsequent executions, it does not "
            + "apply to already started executions.  Defaults to false."),
        col("Active", "integer", 0, "A list of pointers to currently running jobs."),
        col("Last Schedule", "string", 0, "Information when was the last time the job was successfully scheduled."),
        col("Age", "string", 0, D_AGE)), templateColumns());
  }

  static void job(ArrayNode c, String name, String age, JsonNode job, Instant now) {
    JsonNode spec = job.path("spec");
    JsonNode status = job.path("status");
    int succeeded = status.path("succeeded").asInt(0);
    String completions;
    if (spec.path("completions").isNumber()) {
      completions = succeeded + "/" + spec.path("completions").asInt();
    } else {
      int parallelism = spec.path("parallelism").asInt(0);
      completions = parallelism > 1 ? succeeded + "/1 of " + parallelism : succeeded + "/1";
    }
    Instant start = Printers.parse(status.path("startTime").asText(""));
    Instant end = Printers.parse(status.path("completionTime").asText(""));
    String duration = start == null ? "" : Printers.humanDuration(Duration.between(start, end == null ? now : end));
    c.add(name).add(jobStatus(job)).add(completions).add(duration).add(age);
    templateCells(c, spec.path("template").path("spec").path("containers"), spec.get("selector"));
  }

  /** printJob's STATUS: the terminal condition first, then Terminating, Suspended, FailureTarget, Running. */
  static String jobStatus(JsonNode job) {
    JsonNode conditions = job.path("status").path("conditions");
    if (has(conditions, "Complete")) {
      return "Complete";
    }
    if (has(conditions, "Failed")) {
      return "Failed";
    }
    if (job.path("metadata").has("deletionTimestamp")) {
      return "Terminating";
    }
    if (has(conditions, "SuccessCriteriaMet")) {
      return "SuccessCriteriaMet";
    }
    if (has(conditions, "Suspended")) {
      return "Suspended";
    }
    if (has(conditions, "FailureTarget")) {
      return "FailureTarget";
    }
    return "Running";
  }

  static void cronJob(ArrayNode c, String name, String age, JsonNode cronJob, Instant now) {
    JsonNode spec = cronJob.path("spec");
    JsonNode status = cronJob.path("status");
    String last = status.path("lastScheduleTime").asText("");
    c.add(name)
        .add(spec.path("schedule").asText(""))
        .add(spec.path("timeZone").isTextual() ? spec.path("timeZone").asText() : "<none>")
        .add(spec.path("suspend").isBoolean() ? (spec.path("suspend").asBoolean() ? "True" : "False") : "<unset>")
        .add(status.path("active").size())
        .add(last.isEmpty() ? "<none>" : Printers.since(last, now))
        .add(age);
    JsonNode jobSpec = spec.path("jobTemplate").path("spec");
    templateCells(c, jobSpec.path("template").path("spec").path("containers"), jobSpec.get("selector"));
  }

  private static void templateCells(ArrayNode c, JsonNode containers, JsonNode selector) {
    StringBuilder names = new StringBuilder();
    StringBuilder images = new StringBuilder();
    for (JsonNode ct : containers) {
      names.append(names.length() == 0 ? "" : ",").append(ct.path("name").asText(""));
      images.append(images.length() == 0 ? "" : ",").append(ct.path("image").asText(""));
    }
    c.add(names.toString()).add(images.toString()).add(Printers.formatLabelSelector(selector));
  }

  private static boolean has(JsonNode conditions, String type) {
    for (JsonNode cond : conditions) {
      if (type.equals(cond.path("type").asText()) && "True".equals(cond.path("status").asText())) {
        return true;
      }
    }
    return false;
  }

  private static <T> List<T> concat(List<T> a, List<T> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
  }
}
