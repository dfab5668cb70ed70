package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code env[].valueFrom.resourceFieldRef}, with the field paths and words kube-apiserver uses. */
class ResourceFieldValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static List<String> errors(String env) throws Exception {
    JsonNode container = JSON.readTree("{\"name\":\"app\",\"env\":" + env.replace('\'', '"') + "}");
    List<FieldError> errors = new ArrayList<>();
    ContainerEnvValidation.validate("spec.containers[0]", container, errors);
    return errors.stream().map(FieldError::error).toList();
  }

  @Test
  void theResourcesAndDivisorsKubernetesAccepts() throws Exception {
    assertEquals(List.of(), errors("""
        [{'name':'A','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu','divisor':'1m'}}},
         {'name':'B','valueFrom':{'resourceFieldRef':{'resource':'requests.cpu','divisor':'1000m'}}},
         {'name':'C','valueFrom':{'resourceFieldRef':{'containerName':'other','resource':'limits.memory','divisor':'1Mi'}}},
         {'name':'D','valueFrom':{'resourceFieldRef':{'resource':'requests.ephemeral-storage','divisor':'1G'}}},
         {'name':'E','valueFrom':{'resourceFieldRef':{'resource':'limits.hugepages-2Mi'}}},
         {'name':'F','valueFrom':{'resourceFieldRef':{'resource':'requests.memory','divisor':'0'}}}]"""));
  }

  @Test
  void anUnknownResourceOrAnotherUnitIsRefusedNamingTheField() throws Exception {
    assertEquals(List.of(
        "spec.containers[0].env[0].valueFrom.resourceFieldRef.resource: Unsupported value: \"limits.gpu\": supported "
            + "values: \"limits.cpu\", \"limits.ephemeral-storage\", \"limits.memory\", \"requests.cpu\", "
            + "\"requests.ephemeral-storage\", \"requests.memory\"",
        "spec.containers[0].env[1].valueFrom.resourceFieldRef.resource: Required value",
        "spec.containers[0].env[2].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.cpu\": only divisor's "
            + "values 1m and 1 are supported with the cpu resource",
        "spec.containers[0].env[3].valueFrom.resourceFieldRef.divisor: Invalid value: \"requests.memory\": only "
            + "divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the memory "
            + "resource",
        "spec.containers[0].env[4].valueFrom.resourceFieldRef.divisor: Invalid value: \"limits.ephemeral-storage\": "
            + "only divisor's values 1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei are supported with the "
            + "local ephemeral storage resource",
        "spec.containers[0].env[5].valueFrom: Invalid value: \"\": may not have more than one field specified at a time"),
        errors("""
            [{'name':'A','valueFrom':{'resourceFieldRef':{'resource':'limits.gpu'}}},
             {'name':'B','valueFrom':{'resourceFieldRef':{}}},
             {'name':'C','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu','divisor':'10m'}}},
             {'name':'D','valueFrom':{'resourceFieldRef':{'resource':'requests.memory','divisor':'512'}}},
             {'name':'E','valueFrom':{'resourceFieldRef':{'resource':'limits.ephemeral-storage','divisor':'2Ki'}}},
             {'name':'F','valueFrom':{'resourceFieldRef':{'resource':'limits.cpu'},'fieldRef':{'fieldPath':'metadata.name'}}}]"""));
  }
}
