package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ingress and IngressClass rules, with kube-apiserver 1.32's field paths and words. */
class IngressValidationTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text.replace('\'', '"'));
  }

  private static List<String> ingress(String text) throws Exception {
    return IngressValidation.ingress(json(text), null).stream().map(FieldError::error).toList();
  }

  private static String rule(String host, String path, String type, String backend) {
    return "{'spec':{'rules':[{'host':'" + host + "','http':{'paths':[{'path':'" + path + "','pathType':'" + type
        + "','backend':" + backend + "}]}}]}}";
  }

  private static final String SVC = "{'service':{'name':'web','port':{'number':80}}}";

  @Test
  void validRulesPass() throws Exception {
    assertEquals(List.of(), ingress(rule("a.example.com", "/api", "Prefix", SVC)));
    assertEquals(List.of(), ingress(rule("*.example.com", "/", "Exact", SVC)));
    assertEquals(List.of(), ingress(rule("", "", "ImplementationSpecific",
        "{'service':{'name':'web','port':{'name':'http'}}}")));
    assertEquals(List.of(), ingress("{'spec':{'defaultBackend':{'resource':{'apiGroup':'k8s.example.com',"
        + "'kind':'Bucket','name':'b'}},'tls':[{'hosts':['*.example.com'],'secretName':'tls'}]}}"));
  }

  @Test
  void hostsPathsAndBackendsAreCheckedAsKubeDoes() throws Exception {
    assertEquals(List.of("spec: Invalid value: \"null\": either `defaultBackend` or `rules` must be specified"),
        ingress("{'spec':{}}"));
    assertEquals(List.of("spec.rules[0].host: Invalid value: \"10.0.0.1\": must be a DNS name, not an IP address"),
        ingress(rule("10.0.0.1", "/", "Prefix", SVC)));
    assertEquals(List.of("spec.rules[0].host: Invalid value: \"*.*.example.com\": a wildcard DNS-1123 subdomain "
            + "must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric "
            + "characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for "
            + "validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
        ingress(rule("*.*.example.com", "/", "Prefix", SVC)));
    assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"a//b\": must be an absolute path",
            "spec.rules[0].http.paths[0].path: Invalid value: \"a//b\": must not contain '//'"),
        ingress(rule("a.example.com", "a//b", "Exact", SVC)));
    assertEquals(List.of("spec.rules[0].http.paths[0].path: Invalid value: \"/x/..\": cannot end with '/..'"),
        ingress(rule("a.example.com", "/x/..", "Prefix", SVC)));
    assertEquals(List.of("spec.rules[0].http.paths[0].pathType: Unsupported value: \"Regex\": supported values: "
        + "\"Exact\", \"ImplementationSpecific\", \"Prefix\""), ingress(rule("a.example.com", "/", "Regex", SVC)));
    assertEquals(List.of("spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified"),
        ingress("{'spec':{'rules':[{'http':{'paths':[{'path':'/','backend':" + SVC + "}]}}]}}"));
    assertEquals(List.of("spec.rules[0].http.paths: Required value"),
        ingress("{'spec':{'rules':[{'host':'a.example.com','http':{'paths':[]}}]}}"));
    assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both port name & "
        + "port number"), ingress(rule("a.example.com", "/", "Prefix",
        "{'service':{'name':'web','port':{'name':'http','number':80}}}")));
    assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": cannot set both resource and "
        + "service backends"), ingress(rule("a.example.com", "/", "Prefix",
        "{'service':{'name':'web','port':{'number':80}},'resource':{'kind':'K','name':'n'}}")));
    assertEquals(List.of("spec.rules[0].http.paths[0].backend.service.port.number: Invalid value: 70000: must be "
        + "between 1 and 65535, inclusive"), ingress(rule("a.example.com", "/", "Prefix",
        "{'service':{'name':'web','port':{'number':70000}}}")));
    assertEquals(List.of("spec.rules[0].http.paths[0].backend: Invalid value: \"\": resource or service backend is "
        + "required"), ingress(rule("a.example.com", "/", "Prefix", "{}")));
  }

  @Test
  void theClassAnnotationMustAgreeOnCreate() throws Exception {
    String both = "{'metadata':{'annotations':{'kubernetes.io/ingress.class':'nginx'}},"
        + "'spec':{'ingressClassName':'steuermann','defaultBackend':" + SVC + "}}";
    assertEquals(List.of("annotations.kubernetes.io/ingress.class: Invalid value: \"nginx\": must match "
        + "`ingressClassName` when both are specified"), ingress(both));
    assertEquals(List.of(), IngressValidation.ingress(json(both), json(both)), "only on create");
  }

  @Test
  void ingressClasses() throws Exception {
    assertEquals(List.of(), IngressValidation.ingressClass(json("{'spec':{'controller':'example.com/x',"
        + "'parameters':{'kind':'P','name':'p','scope':'Namespace','namespace':'ns'}}}"), null));
    assertEquals(List.of("spec.controller: Required value"),
        IngressValidation.ingressClass(json("{'spec':{}}"), null).stream().map(FieldError::error).toList());
    assertEquals(List.of("spec.controller: Invalid value: \"b.io/x\": field is immutable"),
        IngressValidation.ingressClass(json("{'spec':{'controller':'b.io/x'}}"),
            json("{'spec':{'controller':'a.io/x'}}")).stream().map(FieldError::error).toList());
    assertEquals(List.of("spec.parameters.kind: Required value",
            "spec.parameters.namespace: Forbidden: `parameters.scope` is set to 'Cluster'"),
        IngressValidation.ingressClass(json("{'spec':{'controller':'a.io/x','parameters':{'name':'p',"
            + "'scope':'Cluster','namespace':'ns'}}}"), null).stream().map(FieldError::error).toList());
  }
}
