package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class QuotaValidationTest {
  private static List<String> errors(String quota) throws Exception {
    return QuotaValidation.quota(new ObjectMapper().readTree(quota)).stream()
        .map(e -> e.field() + ": " + e.message().substring(e.message().lastIndexOf("\": ") + 3)).toList();
  }

  @Test
  void validQuotaPasses() throws Exception {
    assertEquals(List.of(), errors("""
        {"spec":{"hard":{"pods":"10","limits.cpu":"2","requests.memory":"1Gi","count/deployments.apps":"3",
          "requests.storage":"10Gi","services.loadbalancers":"0"}}}"""));
    assertEquals(List.of(), errors("{\"spec\":{\"hard\":{\"pods\":\"1\"},\"scopes\":[\"BestEffort\",\"NotTerminating\"]}}"));
  }

  @Test
  void quantitiesAreNonNegativeAndWholeWhereCounted() throws Exception {
    assertEquals(List.of("spec.hard[pods]: must be greater than or equal to 0"),
        errors("{\"spec\":{\"hard\":{\"pods\":\"-1\"}}}"));
    assertEquals(List.of("spec.hard[pods]: must be an integer"), errors("{\"spec\":{\"hard\":{\"pods\":\"1500m\"}}}"));
    assertEquals(List.of("spec.hard[cpus]: must be a standard resource for quota"),
        errors("{\"spec\":{\"hard\":{\"cpus\":\"1\"}}}"));
  }

  @Test
  void scopesMustFitTheResources() throws Exception {
    assertEquals(List.of("spec.scopes: unsupported scope"), errors("{\"spec\":{\"scopes\":[\"Sometimes\"]}}"));
    assertEquals(List.of("spec.scopes: unsupported scope applied to resource"),
        errors("{\"spec\":{\"hard\":{\"limits.cpu\":\"1\"},\"scopes\":[\"BestEffort\"]}}"));
    assertEquals(List.of("spec.scopes: unsupported scope applied to resource"),
        errors("{\"spec\":{\"hard\":{\"services\":\"1\"},\"scopes\":[\"Terminating\"]}}"));
    assertEquals(List.of("spec.scopes: conflicting scopes"),
        errors("{\"spec\":{\"hard\":{\"pods\":\"1\"},\"scopes\":[\"Terminating\",\"NotTerminating\"]}}"));
    assertEquals(List.of("spec.scopeSelector.matchExpressions[0].values: "
            + "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"),
        errors("""
            {"spec":{"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In"}]}}}"""));
  }
}
