package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** kube's ValidateEndpointSlice rules. */
class EndpointSliceValidationTest {
  private static ObjectNode slice(String type, String endpoints, String ports) {
    try {
      return (ObjectNode) Json.parse("{\"addressType\":\"" + type + "\",\"endpoints\":" + endpoints
          + ",\"ports\":" + ports + "}");
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> fields(List<FieldError> errors) {
    return errors.stream().map(e -> e.type() + " " + e.field()).toList();
  }

  @Test
  void aValidSliceOfEachType() {
    assertEquals(List.of(), EndpointSliceValidation.slice(slice("IPv4",
        "[{\"addresses\":[\"10.0.0.1\"],\"nodeName\":\"node-1\",\"hostname\":\"web-0\"}]",
        "[{\"name\":\"http\",\"port\":80,\"protocol\":\"TCP\"},{\"name\":\"\",\"protocol\":\"UDP\"}]"), null));
    assertEquals(List.of(), EndpointSliceValidation.slice(slice("IPv6", "[{\"addresses\":[\"2001:db8::1\"]}]", "[]"),
        null));
    assertEquals(List.of(), EndpointSliceValidation.slice(slice("FQDN", "[{\"addresses\":[\"a.example.com\"]}]",
        "[]"), null));
  }

  @Test
  void typesAddressesAndPortsAreChecked() {
    List<FieldError> errors = EndpointSliceValidation.slice(slice("IPv4",
        "[{\"addresses\":[\"2001:db8::1\",\"10.0.0.256\"]},{\"addresses\":[]},{\"addresses\":[\"1.2.3.4\"],"
            + "\"nodeName\":\"Node_1\"}]",
        "[{\"name\":\"Web\",\"port\":80,\"protocol\":\"TCP\"},{\"name\":\"x\",\"port\":0,\"protocol\":\"HTTP\"},"
            + "{\"name\":\"x\"}]"), null);
    assertEquals(List.of("FieldValueInvalid endpoints[0].addresses[0]", "FieldValueInvalid endpoints[0].addresses[1]",
        "FieldValueRequired endpoints[1].addresses", "FieldValueInvalid endpoints[2].nodeName",
        "FieldValueInvalid ports[0].name", "FieldValueNotSupported ports[1].protocol",
        "FieldValueInvalid ports[1].port", "FieldValueDuplicate ports[2].name", "FieldValueRequired ports[2].protocol"),
        fields(errors));
    assertEquals("must be a valid IPv4 address", errors.get(0).message().replaceAll(".*: ", ""));
    assertEquals(List.of("FieldValueNotSupported addressType"),
        fields(EndpointSliceValidation.slice(slice("IP", "[]", "[]"), null)));
    assertEquals(List.of("FieldValueInvalid addressType"),
        fields(EndpointSliceValidation.slice(slice("IPv6", "[]", "[]"), slice("IPv4", "[]", "[]"))));
  }

  @Test
  void atMostAThousandEndpointsAndAHundredPorts() {
    ObjectNode big = slice("IPv4", "[]", "[]");
    ArrayNode endpoints = (ArrayNode) big.get("endpoints");
    for (int i = 0; i < 1001; i++) {
      endpoints.addObject().putArray("addresses").add("10.0." + (i / 250) + "." + (i % 250));
    }
    ArrayNode ports = (ArrayNode) big.get("ports");
    for (int i = 0; i < 101; i++) {
      ports.addObject().put("name", "p" + i).put("port", 1000 + i).put("protocol", "TCP");
    }
    assertEquals(List.of("FieldValueTooMany endpoints", "FieldValueTooMany ports"),
        fields(EndpointSliceValidation.slice(big, null)));
    endpoints.remove(0);
    ports.remove(0);
    assertEquals(List.of(), EndpointSliceValidation.slice(big, null));
  }
}
