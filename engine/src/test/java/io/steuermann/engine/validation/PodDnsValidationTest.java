package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.objects.ObjectValidator;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DNS-related fields of pods and Service names, refused with kube-apiserver's words. */
class PodDnsValidationTest {
  private static List<ApiStatus.Cause> pod(String extraSpec) throws IOException {
    ObjectNode pod = (ObjectNode) Json.parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        + "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\"}]"
        + (extraSpec.isEmpty() ? "" : "," + extraSpec) + "}}");
    return ObjectValidator.validate(Kind.POD, pod);
  }

  private static void refused(String extraSpec, String field, String words) throws IOException {
    List<ApiStatus.Cause> causes = pod(extraSpec);
    assertTrue(causes.stream().anyMatch(c -> c.field().equals(field) && c.message().contains(words)),
        extraSpec + " -> " + causes);
  }

  @Test
  void goodPodsPass() throws IOException {
    assertEquals(List.of(), pod(""));
    assertEquals(List.of(), pod("""
        "dnsPolicy":"None","dnsConfig":{"nameservers":["10.96.0.10"],"searches":["a.example.","b.test"],
        "options":[{"name":"ndots","value":"2"}]},"hostname":"db-0","subdomain":"db",
        "hostAliases":[{"ip":"10.1.2.3","hostnames":["foo.local"]}],"enableServiceLinks":false"""));
  }

  @Test
  void badFieldsAreNamed() throws IOException {
    refused("\"dnsPolicy\":\"ClusterLast\"", "spec.dnsPolicy", "Unsupported value: \"ClusterLast\"");
    refused("\"dnsPolicy\":\"None\"", "spec.dnsConfig.nameservers",
        "must provide at least one DNS nameserver when `dnsPolicy` is None");
    refused("\"dnsConfig\":{\"nameservers\":[\"dns.example\"]}", "spec.dnsConfig.nameservers[0]",
        "must be valid IP address");
    refused("\"dnsConfig\":{\"nameservers\":[\"1.1.1.1\",\"1.1.1.2\",\"1.1.1.3\",\"1.1.1.4\"]}",
        "spec.dnsConfig.nameservers", "must not have more than 3 nameservers");
    refused("\"dnsConfig\":{\"searches\":[\"Bad_Domain\"]}", "spec.dnsConfig.searches[0]", "RFC 1123 subdomain");
    refused("\"dnsConfig\":{\"options\":[{\"value\":\"1\"}]}", "spec.dnsConfig.options[0].name", "must not be empty");
    refused("\"hostname\":\"Web.1\"", "spec.hostname", "RFC 1123 label");
    refused("\"subdomain\":\"a.b\"", "spec.subdomain", "must not contain dots");
    refused("\"hostAliases\":[{\"ip\":\"nowhere\",\"hostnames\":[\"x\"]}]", "spec.hostAliases[0].ip",
        "must be valid IP address");
    refused("\"hostAliases\":[{\"ip\":\"10.0.0.1\",\"hostnames\":[\"UPPER\"]}]", "spec.hostAliases[0].hostnames[0]",
        "RFC 1123 subdomain");
    // a wrong type is the structural check's (the schema says boolean), before any semantic check
    refused("\"enableServiceLinks\":\"yes\"", "spec.enableServiceLinks", "must be of type boolean");
  }

  @Test
  void portNamesAreIanaServiceNames() throws IOException {
    ObjectNode pod = (ObjectNode) Json.parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        + "\"namespace\":\"default\"},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"busybox\","
        + "\"ports\":[{\"name\":\"http\",\"containerPort\":80},{\"name\":\"8080\",\"containerPort\":8080},"
        + "{\"name\":\"much-too-long-a-name\",\"containerPort\":81}]}]}}");
    List<ApiStatus.Cause> causes = ObjectValidator.validate(Kind.POD, pod);
    assertEquals(List.of("spec.containers[0].ports[1].name", "spec.containers[0].ports[2].name"),
        causes.stream().map(ApiStatus.Cause::field).toList(), causes.toString());
  }

  @Test
  void serviceNamesAreDns1035Labels() throws IOException {
    ObjectNode service = (ObjectNode) Json.parse("{\"apiVersion\":\"v1\",\"kind\":\"Service\",\"metadata\":"
        + "{\"name\":\"1st-backend\",\"namespace\":\"default\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
    List<ApiStatus.Cause> causes = ObjectValidator.validate(Kind.SERVICE, service);
    assertTrue(causes.stream().anyMatch(c -> c.field().equals("metadata.name") && c.message().contains("DNS-1035")),
        causes.toString());
  }
}
