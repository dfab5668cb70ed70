package io.steuermann.node.ingress;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.node.proxy.Backend;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Host and path matching, class selection and backends of the routing table. */
class IngressRoutesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text.replace('\'', '"'));
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  private static JsonNode ingress(String name, String created, String className, String rules) {
    return json("{'metadata':{'namespace':'ns','name':'" + name + "','creationTimestamp':'" + created + "'},"
        + "'spec':{" + (className == null ? "" : "'ingressClassName':'" + className + "',") + "'rules':" + rules + "}}");
  }

  private static String path(String path, String type, String service) {
    return "{'path':'" + path + "','pathType':'" + type + "','backend':{'service':{'name':'" + service
        + "','port':{'number':80}}}}";
  }

  private static final Map<String, JsonNode> CLASSES = Map.of(
      "steuermann", json("{'metadata':{'name':'steuermann'},'spec':{'controller':'steuermann.io/ingress'}}"),
      "other", json("{'metadata':{'name':'other'},'spec':{'controller':'example.com/other'}}"));

  private static IngressRoutes.Table table(JsonNode... ingresses) {
    Map<String, JsonNode> byKey = new java.util.HashMap<>();
    for (JsonNode i : ingresses) {
      byKey.put("ns/" + i.path("metadata").path("name").asText(), i);
    }
    Map<String, JsonNode> services = Map.of(
        "ns/a", json("{'spec':{'ports':[{'name':'http','port':80}]}}"),
        "ns/b", json("{'spec':{'ports':[{'port':80}]}}"));
    Map<String, JsonNode> endpoints = Map.of(
        "ns/a", json("{'subsets':[{'addresses':[{'ip':'10.0.0.1'},{'ip':'10.0.0.2'}],"
            + "'notReadyAddresses':[{'ip':'10.0.0.9'}],'ports':[{'name':'http','port':8080}]}]}"),
        "ns/b", json("{'subsets':[{'addresses':[{'ip':'10.0.1.1'}],'ports':[{'port':9090}]}]}"));
    return IngressRoutes.table(byKey, CLASSES, services, endpoints, Map.of());
  }

  @Test
  void exactBeforePrefixAndTheLongestPrefixWins() {
    IngressRoutes.Table t = table(ingress("i", "2024-01-01T00:00:00Z", "steuermann", "[{'host':'x.test','http':"
        + "{'paths':[" + path("/", "Prefix", "a") + "," + path("/foo/", "Prefix", "b") + ","
        + path("/foo/bar", "Exact", "a") + "]}}]"));
    assertEquals(Optional.of("ns/a:80"), t.route("x.test", "/"));
    assertEquals(Optional.of("ns/b:80"), t.route("x.test", "/foo"), "a trailing slash of the rule is not required");
    assertEquals(Optional.of("ns/b:80"), t.route("X.TEST", "/foo/baz"));
    assertEquals(Optional.of("ns/a:80"), t.route("x.test", "/foobar"), "element-wise, not by characters");
    assertEquals(Optional.of("ns/a:80"), t.route("x.test", "/foo/bar"), "the Exact path");
    assertEquals(Optional.of("ns/b:80"), t.route("x.test", "/foo/bar/"), "Exact is the whole path only");
    assertEquals(Optional.empty(), t.route("y.test", "/"));
    assertEquals(List.of(new Backend("10.0.0.1", 8080), new Backend("10.0.0.2", 8080)), t.endpoints("ns/a:80"),
        "ready addresses only, on the Endpoints port of the Service port's name");
    assertEquals(List.of(new Backend("10.0.1.1", 9090)), t.endpoints("ns/b:80"));
  }

  @Test
  void hostsExactThenWildcardThenAnyHost() {
    IngressRoutes.Table t = table(ingress("i", "2024-01-01T00:00:00Z", null, "["
        + "{'host':'*.w.test','http':{'paths':[" + path("/", "Prefix", "b") + "]}},"
        + "{'host':'exact.w.test','http':{'paths':[" + path("/only", "Exact", "a") + "]}},"
        + "{'http':{'paths':[" + path("/", "Prefix", "a") + "]}}]"));
    assertEquals(Optional.of("ns/b:80"), t.route("x.w.test", "/"));
    assertEquals(Optional.of("ns/a:80"), t.route("y.x.w.test", "/"), "a wildcard covers one label");
    assertEquals(Optional.of("ns/a:80"), t.route("w.test", "/"));
    assertEquals(Optional.of("ns/a:80"), t.route("exact.w.test", "/only"));
    assertEquals(Optional.of("ns/b:80"), t.route("exact.w.test", "/else"), "no path of the exact host: the wildcard's");
  }

  @Test
  void onlyOurClassTheOldestWinsAndTheDefaultBackend() {
    JsonNode old = ingress("old", "2024-01-01T00:00:00Z", "steuermann", "[{'host':'x.test','http':{'paths':["
        + path("/", "Prefix", "a") + "]}}]");
    JsonNode young = ingress("young", "2024-02-01T00:00:00Z", "steuermann", "[{'host':'x.test','http':{'paths':["
        + path("/", "Prefix", "b") + "," + path("/y", "Prefix", "b") + "]}}]");
    JsonNode foreign = ingress("foreign", "2023-01-01T00:00:00Z", "other", "[{'host':'z.test','http':{'paths':["
        + path("/", "Prefix", "a") + "]}}]");
    JsonNode missingClass = ingress("missing", "2023-01-01T00:00:00Z", "gone", "[{'host':'m.test','http':{'paths':["
        + path("/", "Prefix", "a") + "]}}]");
    IngressRoutes.Table t = table(young, old, foreign, missingClass);
    assertEquals(Optional.of("ns/a:80"), t.route("x.test", "/"), "the older Ingress keeps the host and path");
    assertEquals(Optional.of("ns/b:80"), t.route("x.test", "/y/1"));
    assertEquals(Optional.empty(), t.route("z.test", "/"), "another controller's class");
    assertEquals(Optional.empty(), t.route("m.test", "/"), "a class that does not exist");

    JsonNode fallback = json("{'metadata':{'namespace':'ns','name':'fb','creationTimestamp':'2024-03-01T00:00:00Z'},"
        + "'spec':{'defaultBackend':{'service':{'name':'gone','port':{'number':80}}}}}");
    IngressRoutes.Table withDefault = table(old, fallback);
    assertEquals(Optional.of("ns/gone:80"), withDefault.route("nowhere.test", "/"));
    assertEquals(List.of(), withDefault.endpoints("ns/gone:80"), "a missing Service has no endpoints (503)");
  }
}
