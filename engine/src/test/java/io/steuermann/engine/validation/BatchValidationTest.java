package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kubernetes' Job and CronJob checks, field by field. */
class BatchValidationTest {
  private static final ObjectMapper M = new ObjectMapper();

  private static JsonNode json(String s) throws Exception {
    return M.readTree(s);
  }

  private static List<String> fields(List<FieldError> errors) {
    return errors.stream().map(FieldError::field).toList();
  }

  private static String job(String spec) {
    return """
        {"metadata":{"name":"j"},"spec":{"selector":{"matchLabels":{"a":"b"}}, %s
          "template":{"metadata":{"labels":{"a":"b"}},"spec":{"restartPolicy":"Never","containers":[]}}}}"""
        .formatted(spec);
  }

  private static String cronJob(String spec) {
    return """
        {"metadata":{"name":"c"},"spec":{%s
          "jobTemplate":{"spec":{"template":{"spec":{"restartPolicy":"OnFailure","containers":[]}}}}}}"""
        .formatted(spec);
  }

  @Test
  void aValidJobAndCronJobPass() throws Exception {
    assertEquals(List.of(), BatchValidation.job(json(job("\"completions\":3,\"parallelism\":2,"))));
    assertEquals(List.of(), BatchValidation.cronJob(json(cronJob("\"schedule\":\"@hourly\",")), null));
    assertEquals(List.of(), BatchValidation.cronJob(json(cronJob("\"schedule\":\"0 9 * * 1-5\",\"timeZone\":\"Asia/Tokyo\",")), null));
  }

  @Test
  void jobFields() throws Exception {
    assertEquals(List.of("spec.template.spec.restartPolicy"), fields(BatchValidation.job(withRestart("Always"))));
    assertEquals(List.of("spec.backoffLimit", "spec.parallelism"),
        fields(BatchValidation.job(json(job("\"backoffLimit\":-1,\"parallelism\":-2,")))).stream().sorted().toList());
    assertEquals(List.of("spec.activeDeadlineSeconds"), fields(BatchValidation.job(json(job("\"activeDeadlineSeconds\":0,")))));
    assertEquals(List.of("spec.completions"), fields(BatchValidation.job(json(job("\"completionMode\":\"Indexed\",")))));
    assertEquals(List.of("spec.completionMode"), fields(BatchValidation.job(json(job("\"completionMode\":\"Sometimes\",")))));
    assertEquals(List.of("spec.template.metadata.labels"),
        fields(BatchValidation.job(json(job("").replace("\"labels\":{\"a\":\"b\"}", "\"labels\":{\"a\":\"c\"}")))));
  }

  private static JsonNode withRestart(String policy) throws Exception {
    return json(job("").replace("\"Never\"", "\"" + policy + "\""));
  }

  @Test
  void theJobTemplateAndSelectorAreImmutable() throws Exception {
    JsonNode old = json(job("\"completions\":3,\"parallelism\":3,"));
    assertEquals(List.of(), BatchValidation.jobUpdate(old, json(job("\"completions\":3,\"parallelism\":1,"))));
    assertEquals(List.of("spec.completions"), fields(BatchValidation.jobUpdate(old, json(job("\"completions\":4,\"parallelism\":3,")))));
    assertEquals(List.of("spec.template"), fields(BatchValidation.jobUpdate(old,
        json(job("\"completions\":3,\"parallelism\":3,").replace("\"containers\":[]", "\"containers\":[{}]")))));
    // a suspended Job that never started may move its pods elsewhere; a started one may not
    JsonNode suspended = json(job("\"suspend\":true,"));
    JsonNode moved = json(job("\"suspend\":true,").replace("\"containers\":[]",
        "\"containers\":[],\"nodeSelector\":{\"disk\":\"ssd\"}"));
    assertEquals(List.of(), BatchValidation.jobUpdate(suspended, moved));
    JsonNode started = suspended.deepCopy();
    ((com.fasterxml.jackson.databind.node.ObjectNode) started).putObject("status").put("startTime", "2026-12-07T10:00:00Z");
    assertEquals(List.of("spec.template"), fields(BatchValidation.jobUpdate(started, moved)));
    assertEquals(List.of("spec.template"), fields(BatchValidation.jobUpdate(suspended,
        json(job("\"suspend\":true,").replace("\"containers\":[]", "\"containers\":[{}]")))));
    // elastic Indexed Jobs: completions may follow parallelism
    JsonNode indexed = json(job("\"completionMode\":\"Indexed\",\"completions\":3,\"parallelism\":3,"));
    assertEquals(List.of(), BatchValidation.jobUpdate(indexed,
        json(job("\"completionMode\":\"Indexed\",\"completions\":5,\"parallelism\":5,"))));
  }

  @Test
  void cronJobFields() throws Exception {
    List<FieldError> bad = BatchValidation.cronJob(json(cronJob("\"schedule\":\"61 * * * *\",")), null);
    assertEquals(List.of("spec.schedule"), fields(bad));
    assertTrue(bad.get(0).toString().contains("61 * * * *"), bad.toString());
    assertEquals(List.of("spec.schedule"), fields(BatchValidation.cronJob(json(cronJob("")), null)));
    assertEquals(List.of("spec.timeZone"), fields(BatchValidation.cronJob(json(cronJob(
        "\"schedule\":\"@daily\",\"timeZone\":\"Local\",")), null)));
    assertEquals(List.of("spec.concurrencyPolicy"), fields(BatchValidation.cronJob(json(cronJob(
        "\"schedule\":\"@daily\",\"concurrencyPolicy\":\"Sometimes\",")), null)));
    assertEquals(List.of("spec.jobTemplate.spec.template.spec.restartPolicy"), fields(BatchValidation.cronJob(json(cronJob(
        "\"schedule\":\"@daily\",").replace("OnFailure", "Always")), null)));
    assertEquals(List.of("spec.jobTemplate.spec.selector"), fields(BatchValidation.cronJob(json(cronJob(
        "\"schedule\":\"@daily\",").replace("\"template\"", "\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\"")),
        null)));
    // TZ= in the schedule: refused when new, kept when the stored one had it, never beside timeZone
    JsonNode tz = json(cronJob("\"schedule\":\"TZ=Europe/Berlin 0 9 * * *\","));
    assertEquals(List.of("spec.schedule"), fields(BatchValidation.cronJob(tz, null)));
    assertEquals(List.of(), BatchValidation.cronJob(tz, tz));
    assertEquals(List.of("spec.schedule"), fields(BatchValidation.cronJob(json(cronJob(
        "\"schedule\":\"TZ=Europe/Berlin 0 9 * * *\",\"timeZone\":\"UTC\",")), tz)));
  }

  @Test
  void podFailurePolicyRules() throws Exception {
    String policy = "\"podFailurePolicy\":{\"rules\":[{\"action\":\"FailJob\",\"onExitCodes\":{\"operator\":\"In\",\"values\":[0,1,1]}},"
        + "{\"action\":\"Retry\",\"onPodConditions\":[{\"type\":\"DisruptionTarget\",\"status\":\"True\"}]},"
        + "{\"action\":\"Ignore\"}]},";
    assertEquals(List.of("spec.podFailurePolicy.rules[0].onExitCodes.values[0]",
            "spec.podFailurePolicy.rules[0].onExitCodes.values[2]", "spec.podFailurePolicy.rules[1].action",
            "spec.podFailurePolicy.rules[2]"),
        fields(BatchValidation.job(json(job(policy)))));
    String ok = "\"podFailurePolicy\":{\"rules\":[{\"action\":\"Ignore\",\"onExitCodes\":{\"operator\":\"NotIn\",\"values\":[0]}}]},";
    assertEquals(List.of(), BatchValidation.job(json(job(ok))));
    assertEquals(List.of("spec.template.spec.restartPolicy"),
        fields(BatchValidation.job(json(job(ok).replace("\"Never\"", "\"OnFailure\"")))));
  }
}
