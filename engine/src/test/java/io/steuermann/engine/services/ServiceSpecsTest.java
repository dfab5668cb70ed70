package io.steuermann.engine.services;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.validation.FieldError;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Service defaulting and validation: Kubernetes' field paths and messages. */
class ServiceSpecsTest {

  static ObjectNode spec(String json) {
    try {
      ObjectNode spec = (ObjectNode) Json.parse(json);
      ServiceSpecs.applyDefaults(spec);
      return spec;
    } catch (IOException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static List<String> errors(String json) {
    return ServiceSpecs.validate(spec(json)).stream().map(FieldError::error).toList();
  }

  @Test
  void defaultsAreKubernetes() throws IOException {
    assertEquals(Json.parse("""
        {"ports":[{"port":80,"protocol":"TCP","targetPort":80}],"type":"ClusterIP","sessionAffinity":"None",
         "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster"}"""),
        spec("{\"ports\":[{\"port\":80}]}"));
    JsonNode clientIp = spec("{\"sessionAffinity\":\"ClientIP\",\"clusterIP\":\"127.64.0.9\",\"ports\":[{\"port\":80}]}");
    assertEquals(10800, clientIp.path("sessionAffinityConfig").path("clientIP").path("timeoutSeconds").asInt());
    assertEquals("[\"127.64.0.9\"]", clientIp.path("clusterIPs").toString());
    assertEquals("127.64.0.8", spec("{\"clusterIPs\":[\"127.64.0.8\"],\"ports\":[{\"port\":80}]}")
        .path("clusterIP").asText());
  }

  @Test
  void portsAreRequiredExceptForHeadlessServices() {
    assertEquals(List.of("spec.ports: Required value"), errors("{\"selector\":{\"a\":\"b\"}}"));
    assertEquals(List.of(), errors("{\"clusterIP\":\"None\",\"selector\":{\"a\":\"b\"}}"));
    assertEquals(List.of("spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services"),
        errors("{\"clusterIP\":\"None\",\"type\":\"NodePort\",\"ports\":[{\"port\":80}]}"));
  }

  @Test
  void portsAreCheckedOneByOne() {
    assertEquals(List.of(
        "spec.ports[0].name: Required value",
        "spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
        "spec.ports[1].name: Required value",
        "spec.ports[1].targetPort: Invalid value: \"99\": must contain at least one letter (a-z)"),
        errors("{\"ports\":[{\"port\":0},{\"port\":80,\"targetPort\":\"99\"}]}"));
    assertEquals(List.of("spec.ports[1].name: Duplicate value: \"http\""),
        errors("{\"ports\":[{\"name\":\"http\",\"port\":80},{\"name\":\"http\",\"port\":81}]}"));
    assertEquals(List.of("spec.ports[1]: Duplicate value: \"80/TCP\""),
        errors("{\"ports\":[{\"name\":\"a\",\"port\":80},{\"name\":\"b\",\"port\":80}]}"));
    assertEquals(List.of(), errors("{\"ports\":[{\"name\":\"a\",\"port\":53},{\"name\":\"b\",\"port\":53,\"protocol\":\"UDP\"}]}"));
    assertEquals(List.of("spec.ports[0].protocol: Unsupported value: \"SCTP\": supported values: \"TCP\", \"UDP\" "
        + "(SCTP is not supported by Steuermann)"), errors("{\"ports\":[{\"port\":80,\"protocol\":\"SCTP\"}]}"));
    assertEquals(List.of("spec.ports[0].targetPort: Invalid value: \"a-very-long-port-name\": must be no more than 15 characters"),
        errors("{\"ports\":[{\"port\":80,\"targetPort\":\"a-very-long-port-name\"}]}"));
  }

  @Test
  void unknownTypesAndNodePortsOfAClusterIpAreRefused() {
    assertEquals(List.of("spec.type: Unsupported value: \"Fancy\": supported values: \"ClusterIP\", \"ExternalName\", "
        + "\"LoadBalancer\", \"NodePort\""),
        errors("{\"type\":\"Fancy\",\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"),
        errors("{\"ports\":[{\"port\":80,\"nodePort\":30000}]}"));
    assertEquals(List.of("spec.ports[1].nodePort: Duplicate value: 30000"),
        errors("{\"type\":\"NodePort\",\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":30000},"
            + "{\"name\":\"b\",\"port\":81,\"nodePort\":30000}]}"));
  }

  @Test
  void aLoadBalancerGetsKubernetesDefaults() throws IOException {
    assertEquals(Json.parse("""
        {"type":"LoadBalancer","ports":[{"port":80,"protocol":"TCP","targetPort":80}],"sessionAffinity":"None",
         "ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","internalTrafficPolicy":"Cluster",
         "externalTrafficPolicy":"Cluster","allocateLoadBalancerNodePorts":true}"""),
        spec("{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":80}]}"));
    ObjectNode local = spec("{\"type\":\"LoadBalancer\",\"externalTrafficPolicy\":\"Local\","
        + "\"allocateLoadBalancerNodePorts\":false,\"ports\":[{\"port\":80}]}");
    assertEquals(false, local.path("allocateLoadBalancerNodePorts").asBoolean());
    assertEquals(false, ServiceSpecs.needsNodePorts(local));
    assertEquals(true, ServiceSpecs.needsHealthCheckNodePort(local));
    assertEquals(List.of(), ServiceSpecs.validate(local).stream().map(FieldError::error).toList());
    assertEquals(List.of(), errors("{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"example.com/internal\","
        + "\"loadBalancerSourceRanges\":[\"10.0.0.0/8\",\" 192.168.1.0/24 \",\"2001:db8::/64\"],"
        + "\"ports\":[{\"port\":80,\"nodePort\":30080}]}"));
  }

  @Test
  void loadBalancerFieldsAreValidatedAsKubernetesDoes() {
    assertEquals(List.of("spec.loadBalancerClass: Invalid value: \"bad class\": name part must consist of "
        + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
        + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        errors("{\"type\":\"LoadBalancer\",\"loadBalancerClass\":\"bad class\",\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.LoadBalancerSourceRanges[1]: Invalid value: \"10.0.0.0\": must be a valid CIDR value, "
        + "(e.g. 10.9.8.0/24 or 2001:db8::/64)"),
        errors("{\"type\":\"LoadBalancer\",\"loadBalancerSourceRanges\":[\"10.0.0.0/8\",\"10.0.0.0\"],"
            + "\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.externalTrafficPolicy: Unsupported value: \"Nearby\": supported values: \"Cluster\", \"Local\""),
        errors("{\"type\":\"LoadBalancer\",\"externalTrafficPolicy\":\"Nearby\",\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.ports[0].port: Invalid value: 10250: may not expose port 10250 externally since it is used by kubelet"),
        errors("{\"type\":\"LoadBalancer\",\"ports\":[{\"port\":10250}]}"));
    assertEquals(List.of("spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services"),
        errors("{\"type\":\"LoadBalancer\",\"clusterIP\":\"None\",\"ports\":[{\"port\":80}]}"));
    // the LoadBalancer fields on a ClusterIP Service
    assertEquals(List.of(
        "spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'",
        "spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
        "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
        "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services",
        "spec.healthCheckNodePort: Invalid value: 30100: may only be set when `type` is 'LoadBalancer' and "
            + "`externalTrafficPolicy` is 'Local'"),
        errors("{\"allocateLoadBalancerNodePorts\":true,\"loadBalancerClass\":\"x\",\"loadBalancerSourceRanges\":[\"10.0.0.0/8\"],"
            + "\"externalTrafficPolicy\":\"Local\",\"healthCheckNodePort\":30100,\"ports\":[{\"port\":80}]}"));
  }

  @Test
  void anExternalNameIsADnsNameWithoutAClusterIp() throws IOException {
    ObjectNode spec = spec("{\"type\":\"ExternalName\",\"externalName\":\"db.example.org\"}");
    assertEquals(Json.parse("{\"type\":\"ExternalName\",\"externalName\":\"db.example.org\",\"sessionAffinity\":\"None\"}"),
        spec);
    assertEquals(false, ServiceSpecs.needsClusterIp(spec));
    assertEquals(List.of(), ServiceSpecs.validate(spec).stream().map(FieldError::error).toList());
    assertEquals(List.of(), errors("{\"type\":\"ExternalName\",\"externalName\":\"db.example.org.\",\"ports\":[{\"port\":5432}]}"));
    assertEquals(List.of("spec.externalName: Required value"), errors("{\"type\":\"ExternalName\"}"));
    assertEquals(List.of("spec.externalName: Invalid value: \"Db_Example\": a lowercase RFC 1123 subdomain must consist "
        + "of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character "
        + "(e.g. 'example.com', regex used for validation is "
        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
        errors("{\"type\":\"ExternalName\",\"externalName\":\"Db_Example\"}"));
    assertEquals(List.of("spec.clusterIPs: Forbidden: may not be set for ExternalName services",
        "spec.ipFamilies: Forbidden: may not be set for ExternalName services"),
        errors("{\"type\":\"ExternalName\",\"externalName\":\"a.b\",\"clusterIP\":\"10.96.0.9\",\"ipFamilies\":[\"IPv4\"]}"));
  }

  @Test
  void changingTheTypeDropsWhatTheNewTypeHasNoUseFor() {
    ObjectNode old = spec("{\"type\":\"LoadBalancer\",\"clusterIP\":\"10.96.0.7\",\"externalTrafficPolicy\":\"Local\","
        + "\"healthCheckNodePort\":30200,\"loadBalancerClass\":\"example.com/lb\",\"ports\":[{\"port\":80,\"nodePort\":30201}]}");
    ObjectNode toClusterIp = old.deepCopy();
    toClusterIp.put("type", "ClusterIP");
    ServiceSpecs.keepAllocatedValues(old, toClusterIp);
    ServiceSpecs.applyDefaults(toClusterIp);
    for (String gone : List.of("healthCheckNodePort", "loadBalancerClass", "allocateLoadBalancerNodePorts",
        "externalTrafficPolicy")) {
      assertEquals(false, toClusterIp.has(gone), gone + " in " + toClusterIp);
    }
    assertEquals(false, toClusterIp.path("ports").get(0).has("nodePort"));
    assertEquals("10.96.0.7", toClusterIp.path("clusterIP").asText());
    assertEquals(List.of(), ServiceSpecs.validate(toClusterIp).stream().map(FieldError::error).toList());
    assertEquals(List.of(), ServiceSpecs.validateUpdate(old, toClusterIp));

    ObjectNode toExternalName = old.deepCopy();
    toExternalName.put("type", "ExternalName").put("externalName", "db.example.org");
    ServiceSpecs.keepAllocatedValues(old, toExternalName);
    ServiceSpecs.applyDefaults(toExternalName);
    assertEquals(List.of(), ServiceSpecs.validate(toExternalName).stream().map(FieldError::error).toList());
    assertEquals(List.of(), ServiceSpecs.validateUpdate(old, toExternalName));

    ObjectNode otherClass = old.deepCopy();
    otherClass.put("loadBalancerClass", "example.com/other");
    assertEquals(List.of("spec.loadBalancerClass: Invalid value: \"example.com/other\": may not change once set"),
        ServiceSpecs.validateUpdate(old, otherClass).stream().map(FieldError::error).toList());
  }

  @Test
  void sessionAffinityAndClusterIp() {
    assertEquals(List.of("spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\""),
        errors("{\"sessionAffinity\":\"Sticky\",\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: 0: must be greater than 0 "
        + "and less than 86400"),
        errors("{\"sessionAffinity\":\"ClientIP\",\"sessionAffinityConfig\":{\"clientIP\":{\"timeoutSeconds\":0}},"
            + "\"ports\":[{\"port\":80}]}"));
    assertEquals(List.of("spec.clusterIPs[0]: Invalid value: \"127.64.0.300\": must be a valid IP address, "
        + "(e.g. 10.9.8.7 or 2001:db8::ffff)"), errors("{\"clusterIP\":\"127.64.0.300\",\"ports\":[{\"port\":80}]}"));
  }

  @Test
  void anUpdateKeepsAllocatedValuesItLeavesOutAndDropsNodePortsWithTheType() {
    ObjectNode old = spec("{\"type\":\"NodePort\",\"clusterIP\":\"127.64.0.5\","
        + "\"ports\":[{\"name\":\"a\",\"port\":80,\"nodePort\":30001},{\"name\":\"b\",\"port\":81,\"nodePort\":30002}]}");
    ObjectNode replaced = spec("{\"type\":\"NodePort\",\"ports\":[{\"name\":\"b\",\"port\":82},{\"name\":\"c\",\"port\":83}]}");
    ServiceSpecs.keepAllocatedValues(old, replaced);
    assertEquals("127.64.0.5", replaced.path("clusterIP").asText());
    assertEquals(30002, replaced.path("ports").get(0).path("nodePort").asInt());
    assertEquals(0, replaced.path("ports").get(1).path("nodePort").asInt());

    ObjectNode toClusterIp = old.deepCopy();
    toClusterIp.put("type", "ClusterIP");
    ServiceSpecs.keepAllocatedValues(old, toClusterIp);
    assertEquals(List.of(), ServiceSpecs.validate(toClusterIp).stream().map(FieldError::error).toList());
  }

  @Test
  void aLoadBalancerStatusIsValidatedAsKubernetesDoes() throws IOException {
    assertEquals(List.of(), ServiceSpecs.validateStatus(Json.parse(
        "{\"loadBalancer\":{\"ingress\":[{\"ip\":\"127.0.0.1\",\"ipMode\":\"VIP\"},{\"hostname\":\"lb.example.org\"}]}}")));
    assertEquals(List.of(
        "status.loadBalancer.ingress[0].ip: Invalid value: \"1.2.3\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        "status.loadBalancer.ingress[0].ipMode: Unsupported value: \"Fast\": supported values: \"Proxy\", \"VIP\"",
        "status.loadBalancer.ingress[1].ipMode: Forbidden: may not be specified when `ip` is not set",
        "status.loadBalancer.ingress[1].hostname: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"),
        ServiceSpecs.validateStatus(Json.parse("{\"loadBalancer\":{\"ingress\":[{\"ip\":\"1.2.3\",\"ipMode\":\"Fast\"},"
            + "{\"hostname\":\"10.0.0.1\",\"ipMode\":\"VIP\"}]}}")).stream().map(FieldError::error).toList());
  }
}
