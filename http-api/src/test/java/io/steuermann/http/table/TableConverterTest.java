package io.steuermann.http.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TableConverterTest {

  private static final ObjectMapper M = new ObjectMapper();
  private static final Instant NOW = Instant.parse("2025-01-10T12:00:00Z");
  private final TableConverter tc = new TableConverter(Clock.fixed(NOW, ZoneOffset.UTC));

  private static ObjectNode obj(String json) {
    try {
      return (ObjectNode) M.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  private static List<String> headers(Kind kind, boolean wide) {
    List<String> out = new ArrayList<>();
    for (JsonNode c : TableConverter.columnDefinitions(kind)) {
      if (wide || c.get("priority").asInt() == 0) {
        out.add(c.get("name").asText().toUpperCase());
      }
    }
    return out;
  }

  private JsonNode cells(Kind kind, String json) {
    return tc.cells(kind, obj(json));
  }

  private static JsonNode arr(String json) {
    try {
      return M.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException(e);
    }
  }

  // ---------------------------------------------------------------- columns as kubectl shows them

  @Test
  void defaultColumnsMatchKubectl() {
    assertEquals(List.of("NAME", "STATUS", "AGE"), headers(Kind.NAMESPACE, false));
    assertEquals(List.of("NAME", "STATUS", "ROLES", "AGE", "VERSION"), headers(Kind.NODE, false));
    assertEquals(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE"), headers(Kind.POD, false));
    assertEquals(List.of("NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"), headers(Kind.SERVICE, false));
    assertEquals(List.of("NAME", "ENDPOINTS", "AGE"), headers(Kind.ENDPOINTS, false));
    assertEquals(List.of("LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"), headers(Kind.EVENT, false));
    assertEquals(List.of("NAME", "DESIRED", "CURRENT", "READY", "AGE"), headers(Kind.REPLICA_SET, false));
    assertEquals(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"), headers(Kind.DEPLOYMENT, false));
    assertEquals(List.of("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"),
        headers(Kind.DAEMON_SET, false));
    assertEquals(List.of("NAME", "CONTROLLER", "REVISION", "AGE"), headers(Kind.CONTROLLER_REVISION, false));
    assertEquals(List.of("NAME", "READY", "AGE"), headers(Kind.STATEFUL_SET, false));
  }

  @Test
  void wideColumns() {
    assertEquals(List.of("NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED NODE", "READINESS GATES"),
        headers(Kind.POD, true));
    assertEquals(List.of("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
        headers(Kind.DEPLOYMENT, true));
    assertEquals(List.of("NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE",
        "CONTAINERS", "IMAGES", "SELECTOR"), headers(Kind.DAEMON_SET, true));
    assertEquals(List.of("NAME", "READY", "AGE", "CONTAINERS", "IMAGES"), headers(Kind.STATEFUL_SET, true));
  }

  @Test
  void columnDefinitionShape() {
    assertEquals(arr("""
        {"name":"Name","type":"string","format":"name",
         "description":"Name must be unique within a namespace.","priority":0}"""),
        TableConverter.columnDefinitions(Kind.POD).get(0));
  }

  @Test
  void everyRowHasOneCellPerColumn() {
    for (Kind k : Kind.values()) {
      assertEquals(TableConverter.columnDefinitions(k).size(),
          tc.cells(k, obj("{\"metadata\":{\"name\":\"x\"}}")).size(), k.name());
    }
  }

  // ---------------------------------------------------------------- worked examples per kind

  @Test
  void namespace() {
    assertEquals(arr("[\"demo\",\"Active\",\"5s\"]"), cells(Kind.NAMESPACE, """
        {"metadata":{"name":"demo","creationTimestamp":"2025-01-10T11:59:55Z"},"status":{"phase":"Active"}}"""));
    assertEquals(arr("[\"old\",\"Terminating\",\"<unknown>\"]"), cells(Kind.NAMESPACE, """
        {"metadata":{"name":"old"},"status":{"phase":"Terminating"}}"""));
    // no status yet: the apiserver would have defaulted Active
    assertEquals("Active", cells(Kind.NAMESPACE, "{\"metadata\":{\"name\":\"n\"}}").get(1).asText());
  }

  @Test
  void node() {
    assertEquals(arr("""
        ["node-1","Ready,SchedulingDisabled","control-plane,worker","3h","v1.32.0-steuermann",
         "10.0.0.5","<none>","Debian GNU/Linux 12","6.1.0","containerd://1.7"]"""),
        cells(Kind.NODE, """
        {"metadata":{"name":"node-1","creationTimestamp":"2025-01-10T09:00:00Z",
          "labels":{"node-role.kubernetes.io/worker":"","node-role.kubernetes.io/control-plane":"","kubernetes.io/hostname":"node-1"}},
         "spec":{"unschedulable":true},
         "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
          "addresses":[{"type":"Hostname","address":"node-1"},{"type":"InternalIP","address":"10.0.0.5"}],
          "nodeInfo":{"kubeletVersion":"v1.32.0-steuermann","osImage":"Debian GNU/Linux 12","kernelVersion":"6.1.0",
                      "containerRuntimeVersion":"containerd://1.7"}}}"""));
    assertEquals(arr("[\"n2\",\"NotReady\",\"<none>\",\"<unknown>\",\"\",\"<none>\",\"<none>\",\"<unknown>\",\"<unknown>\",\"<unknown>\"]"),
        cells(Kind.NODE, "{\"metadata\":{\"name\":\"n2\"},\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"Unknown\"}]}}"));
    assertEquals("Unknown", cells(Kind.NODE, "{\"metadata\":{\"name\":\"n3\"}}").get(1).asText());
  }

  @Test
  void runningPod() {
    assertEquals(arr("""
        ["web-1","1/2","Running","3 (2m ago)","10m","10.1.0.7","node-1","<none>","<none>"]"""),
        cells(Kind.POD, """
        {"metadata":{"name":"web-1","namespace":"demo","creationTimestamp":"2025-01-10T11:50:00Z"},
         "spec":{"nodeName":"node-1","containers":[{"name":"a","image":"nginx"},{"name":"b","image":"busybox"}]},
         "status":{"phase":"Running","podIP":"10.1.0.7",
          "containerStatuses":[
           {"name":"a","ready":true,"restartCount":1,"state":{"running":{"startedAt":"2025-01-10T11:51:00Z"}}},
           {"name":"b","ready":false,"restartCount":2,"state":{"running":{}},
            "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-01-10T11:58:00Z"}}}]}}"""));
  }

  @Test
  void podStatusFromContainerReasons() {
    assertEquals(arr("[\"p\",\"0/1\",\"CrashLoopBackOff\",\"5 (30s ago)\",\"60m\",\"<none>\",\"<none>\",\"<none>\",\"<none>\"]"),
        cells(Kind.POD, """
        {"metadata":{"name":"p","creationTimestamp":"2025-01-10T11:00:00Z"},
         "spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":false,"restartCount":5,
           "state":{"waiting":{"reason":"CrashLoopBackOff"}},
           "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-01-10T11:59:30Z"}}}]}}"""));
    assertEquals("ContainerCreating", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","containerStatuses":[{"name":"c","state":{"waiting":{"reason":"ContainerCreating"}}}]}}""")
        .get(2).asText());
    assertEquals("Completed", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Succeeded","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}}""")
        .get(2).asText());
    assertEquals("ExitCode:3", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":3}}}]}}""")
        .get(2).asText());
    assertEquals("Signal:9", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Failed","containerStatuses":[{"name":"c","state":{"terminated":{"exitCode":137,"signal":9}}}]}}""")
        .get(2).asText());
    assertEquals("Evicted", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]},"status":{"phase":"Failed","reason":"Evicted"}}""")
        .get(2).asText());
  }

  @Test
  void freshPodAndTerminatingPod() {
    // just created, no status at all: Pending, 0/1, 0 restarts
    assertEquals(arr("[\"p\",\"0/1\",\"Pending\",\"0\",\"0s\",\"<none>\",\"<none>\",\"<none>\",\"<none>\"]"),
        cells(Kind.POD, """
        {"metadata":{"name":"p","creationTimestamp":"2025-01-10T12:00:00Z"},"spec":{"containers":[{"name":"c"}]}}"""));
    assertEquals("Terminating", cells(Kind.POD, """
        {"metadata":{"name":"p","deletionTimestamp":"2025-01-10T12:00:00Z"},"spec":{"containers":[{"name":"c"}]},
         "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":true,"state":{"running":{}}}]}}""")
        .get(2).asText());
  }

  @Test
  void podInitContainers() {
    assertEquals("Init:0/2", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"running":{}}},{"name":"i2","state":{"waiting":{"reason":"PodInitializing"}}}]}}""")
        .get(2).asText());
    assertEquals("Init:1/2", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0}}},{"name":"i2","state":{"running":{}}}]}}""")
        .get(2).asText());
    assertEquals("Init:CrashLoopBackOff", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}""")
        .get(2).asText());
    assertEquals("Init:Error", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"c"}]},
         "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}}""")
        .get(2).asText());
  }

  @Test
  void podReadinessGates() {
    assertEquals("1/2", cells(Kind.POD, """
        {"metadata":{"name":"p"},"spec":{"containers":[],"readinessGates":[{"conditionType":"a"},{"conditionType":"b"}]},
         "status":{"phase":"Running","conditions":[{"type":"a","status":"True"},{"type":"b","status":"False"}]}}""")
        .get(8).asText());
  }

  @Test
  void services() {
    assertEquals(arr("""
        ["web","ClusterIP","10.96.0.10","<none>","80/TCP,53/UDP","2m5s","app=web,tier=front"]"""),
        cells(Kind.SERVICE, """
        {"metadata":{"name":"web","creationTimestamp":"2025-01-10T11:57:55Z"},
         "spec":{"clusterIP":"10.96.0.10","selector":{"tier":"front","app":"web"},
                 "ports":[{"port":80,"targetPort":8080},{"port":53,"protocol":"UDP"}]}}"""));
    assertEquals(arr("""
        ["np","NodePort","10.96.0.11","1.2.3.4","80:30080/TCP","<unknown>","<none>"]"""),
        cells(Kind.SERVICE, """
        {"metadata":{"name":"np"},"spec":{"type":"NodePort","clusterIPs":["10.96.0.11"],"externalIPs":["1.2.3.4"],
          "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"}]}}"""));
    assertEquals("<pending>", cells(Kind.SERVICE, """
        {"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIP":"10.96.0.12","ports":[{"port":443}]}}""").get(3).asText());
    assertEquals("5.6.7.8,lb.example.com", cells(Kind.SERVICE, """
        {"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer"},
         "status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"},{"hostname":"lb.example.com"}]}}}""").get(3).asText());
    JsonNode ext = cells(Kind.SERVICE, """
        {"metadata":{"name":"db"},"spec":{"type":"ExternalName","externalName":"db.example.com"}}""");
    assertEquals("<none>", ext.get(2).asText());
    assertEquals("db.example.com", ext.get(3).asText());
    assertEquals("<none>", ext.get(4).asText());
  }

  @Test
  void endpoints() {
    assertEquals(arr("[\"web\",\"10.1.0.7:8080,10.1.0.8:8080\",\"5s\"]"), cells(Kind.ENDPOINTS, """
        {"metadata":{"name":"web","creationTimestamp":"2025-01-10T11:59:55Z"},
         "subsets":[{"addresses":[{"ip":"10.1.0.7"},{"ip":"10.1.0.8"}],"ports":[{"port":8080}]}]}"""));
    assertEquals("<none>", cells(Kind.ENDPOINTS, "{\"metadata\":{\"name\":\"e\"}}").get(1).asText());
    assertEquals("10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 5 more...", cells(Kind.ENDPOINTS, """
        {"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"},{"ip":"10.0.0.2"},{"ip":"10.0.0.3"},{"ip":"10.0.0.4"}],
          "ports":[{"port":80},{"port":81}]}]}""").get(1).asText());
    assertEquals("10.0.0.1,[fd00::1]:80", cells(Kind.ENDPOINTS, """
        {"metadata":{"name":"e"},"subsets":[{"addresses":[{"ip":"10.0.0.1"}]},{"addresses":[{"ip":"fd00::1"}],"ports":[{"port":80}]}]}""")
        .get(1).asText());
    assertEquals("", cells(Kind.ENDPOINTS, """
        {"metadata":{"name":"e"},"subsets":[{"notReadyAddresses":[{"ip":"10.0.0.1"}],"ports":[{"port":80}]}]}""").get(1).asText());
  }

  @Test
  void events() {
    assertEquals(arr("""
        ["30s","Normal","Scheduled","pod/web-1","","default-scheduler","Successfully assigned demo/web-1 to node-1",
         "2m",3,"web-1.17a"]"""),
        cells(Kind.EVENT, """
        {"metadata":{"name":"web-1.17a","namespace":"demo"},
         "involvedObject":{"kind":"Pod","name":"web-1","namespace":"demo"},
         "reason":"Scheduled","message":"Successfully assigned demo/web-1 to node-1\\n","type":"Normal",
         "source":{"component":"default-scheduler"},
         "firstTimestamp":"2025-01-10T11:58:00Z","lastTimestamp":"2025-01-10T11:59:30Z","count":3}"""));
    // new-style event: eventTime only, series, reportingController/instance
    assertEquals(arr("""
        ["9s","Warning","BackOff","pod/p","spec.containers{c}","kubelet, node-1","Back-off","60s",7,"p.1"]"""),
        cells(Kind.EVENT, """
        {"metadata":{"name":"p.1"},"involvedObject":{"kind":"Pod","name":"p","fieldPath":"spec.containers{c}"},
         "reason":"BackOff","message":"Back-off","type":"Warning","reportingComponent":"kubelet","reportingInstance":"node-1",
         "eventTime":"2025-01-10T11:59:00.000000Z","series":{"count":7,"lastObservedTime":"2025-01-10T11:59:50.123456Z"}}"""));
    assertEquals(1, cells(Kind.EVENT, "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{\"kind\":\"Node\"}}").get(8).asInt());
    assertEquals("node", cells(Kind.EVENT, "{\"metadata\":{\"name\":\"e\"},\"involvedObject\":{\"kind\":\"Node\"}}").get(3).asText());
  }

  @Test
  void jobsAsKubectlPrintsThem() {
    assertEquals(List.of("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"), headers(Kind.JOB, false));
    assertEquals(List.of("NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE", "CONTAINERS", "IMAGES", "SELECTOR"),
        headers(Kind.JOB, true));
    assertEquals(arr("[\"pi\",\"Complete\",\"3/3\",\"40s\",\"2d3h\",\"pi\",\"perl\",\"batch.kubernetes.io/controller-uid=u1\"]"),
        cells(Kind.JOB, """
        {"metadata":{"name":"pi","creationTimestamp":"2025-01-08T09:00:00Z"},
         "spec":{"completions":3,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u1"}},
          "template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}},
         "status":{"succeeded":3,"startTime":"2025-01-08T09:00:00Z","completionTime":"2025-01-08T09:00:40Z",
          "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}"""));
    // running for 90 s; no completions: "of parallelism"
    JsonNode running = cells(Kind.JOB, """
        {"metadata":{"name":"q"},"spec":{"parallelism":3},
         "status":{"succeeded":1,"startTime":"2025-01-10T11:58:30Z"}}""");
    assertEquals("Running", running.get(1).asText());
    assertEquals("1/1 of 3", running.get(2).asText());
    assertEquals("90s", running.get(3).asText());
    assertEquals("Suspended", cells(Kind.JOB, "{\"metadata\":{\"name\":\"s\"},\"spec\":{\"completions\":1},"
        + "\"status\":{\"conditions\":[{\"type\":\"Suspended\",\"status\":\"True\"}]}}").get(1).asText());
    assertEquals("Failed", cells(Kind.JOB, "{\"metadata\":{\"name\":\"f\"},\"spec\":{\"completions\":1},"
        + "\"status\":{\"conditions\":[{\"type\":\"FailureTarget\",\"status\":\"True\"},"
        + "{\"type\":\"Failed\",\"status\":\"True\"}]}}").get(1).asText());
  }

  @Test
  void cronJobsAsKubectlPrintsThem() {
    assertEquals(List.of("NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"),
        headers(Kind.CRON_JOB, false));
    JsonNode c = cells(Kind.CRON_JOB, """
        {"metadata":{"name":"nightly","creationTimestamp":"2025-01-08T09:00:00Z"},
         "spec":{"schedule":"0 3 * * *","timeZone":"Europe/Berlin","suspend":false,
          "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"r","image":"busybox"}]}}}}},
         "status":{"active":[{"name":"nightly-1"}],"lastScheduleTime":"2025-01-10T11:45:00Z"}}""");
    assertEquals(arr("[\"nightly\",\"0 3 * * *\",\"Europe/Berlin\",\"False\",1,\"15m\",\"2d3h\",\"r\",\"busybox\",\"<none>\"]"), c);
    assertTrue(c.get(4).isIntegralNumber());
    JsonNode fresh = cells(Kind.CRON_JOB, "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"schedule\":\"@hourly\"}}");
    assertEquals("<none>", fresh.get(2).asText());
    assertEquals("<none>", fresh.get(5).asText());
  }

  @Test
  void replicaSet() {
    JsonNode c = cells(Kind.REPLICA_SET, """
        {"metadata":{"name":"web-5d8f","creationTimestamp":"2025-01-08T09:00:00Z"},
         "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d8f"}},
          "template":{"spec":{"containers":[{"name":"a","image":"nginx:1.27"},{"name":"b","image":"busybox"}]}}},
         "status":{"replicas":3,"readyReplicas":2}}""");
    assertEquals(arr("[\"web-5d8f\",3,3,2,\"2d3h\",\"a,b\",\"nginx:1.27,busybox\",\"app=web,pod-template-hash=5d8f\"]"), c);
    assertTrue(c.get(1).isIntegralNumber());
    assertEquals(arr("[\"rs\",1,0,0,\"<unknown>\",\"\",\"\",\"<none>\"]"),
        cells(Kind.REPLICA_SET, "{\"metadata\":{\"name\":\"rs\"},\"spec\":{}}"));
  }

  @Test
  void daemonSetAndControllerRevision() {
    assertEquals(arr("[\"agent\",3,3,2,1,2,\"disk=ssd,zone=a\",\"15m\",\"a\",\"agent:2\",\"app=agent\"]"),
        cells(Kind.DAEMON_SET, """
        {"metadata":{"name":"agent","creationTimestamp":"2025-01-10T11:45:00Z"},
         "spec":{"selector":{"matchLabels":{"app":"agent"}},
          "template":{"spec":{"nodeSelector":{"zone":"a","disk":"ssd"},"containers":[{"name":"a","image":"agent:2"}]}}},
         "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":1,
          "numberAvailable":2}}"""));
    assertEquals(arr("[\"ds\",0,0,0,0,0,\"<none>\",\"<unknown>\",\"\",\"\",\"<none>\"]"),
        cells(Kind.DAEMON_SET, "{\"metadata\":{\"name\":\"ds\"}}"));
    assertEquals(arr("[\"agent-5d8f\",\"daemonset.apps/agent\",2,\"15m\"]"), cells(Kind.CONTROLLER_REVISION, """
        {"metadata":{"name":"agent-5d8f","creationTimestamp":"2025-01-10T11:45:00Z",
          "ownerReferences":[{"apiVersion":"apps/v1","kind":"DaemonSet","name":"agent","uid":"u","controller":true}]},
         "revision":2}"""));
    assertEquals("<none>", cells(Kind.CONTROLLER_REVISION, "{\"metadata\":{\"name\":\"r\"}}").get(1).asText());
  }

  @Test
  void deployment() {
    assertEquals(arr("[\"web\",\"2/3\",3,2,\"15m\",\"c\",\"nginx\",\"app=web,env notin (dev,test),!legacy,tier\"]"),
        cells(Kind.DEPLOYMENT, """
        {"metadata":{"name":"web","creationTimestamp":"2025-01-10T11:45:00Z"},
         "spec":{"replicas":3,
          "selector":{"matchLabels":{"app":"web"},"matchExpressions":[
            {"key":"tier","operator":"Exists"},{"key":"env","operator":"NotIn","values":["test","dev"]},
            {"key":"legacy","operator":"DoesNotExist"}]},
          "template":{"spec":{"containers":[{"name":"c","image":"nginx"}]}}},
         "status":{"replicas":3,"updatedReplicas":3,"readyReplicas":2,"availableReplicas":2}}"""));
    assertEquals(arr("[\"d\",\"0/1\",0,0,\"<unknown>\",\"\",\"\",\"\"]"),
        cells(Kind.DEPLOYMENT, "{\"metadata\":{\"name\":\"d\"}}"));
  }

  // ---------------------------------------------------------------- Table assembly

  private static final String POD = """
      {"apiVersion":"v1","kind":"Pod",
       "metadata":{"name":"p1","namespace":"demo","resourceVersion":"17","uid":"u-1",
                   "creationTimestamp":"2025-01-10T11:59:55Z","labels":{"app":"x"}},
       "spec":{"containers":[{"name":"c","image":"nginx"}]},
       "status":{"phase":"Running","containerStatuses":[{"name":"c","ready":true,"restartCount":0,"state":{"running":{}}}]}}""";

  @Test
  void singleObjectTableWithMetadata() {
    ObjectNode table = tc.fromObject(Kind.POD, obj(POD), IncludeObject.METADATA, "v1");
    assertEquals("Table", table.get("kind").asText());
    assertEquals("meta.k8s.io/v1", table.get("apiVersion").asText());
    assertEquals(arr("{\"resourceVersion\":\"17\"}"), table.get("metadata"));
    assertEquals(9, table.get("columnDefinitions").size());
    assertEquals(arr("""
        [{"cells":["p1","1/1","Running","0","5s","<none>","<none>","<none>","<none>"],
          "object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1",
            "metadata":{"name":"p1","namespace":"demo","resourceVersion":"17","uid":"u-1",
                        "creationTimestamp":"2025-01-10T11:59:55Z","labels":{"app":"x"}}}}]"""),
        table.get("rows"));
  }

  @Test
  void includeObjectNoneAndObject() {
    JsonNode none = tc.fromObject(Kind.POD, obj(POD), IncludeObject.NONE, "v1").get("rows").get(0);
    assertFalse(none.has("object"));
    JsonNode full = tc.fromObject(Kind.POD, obj(POD), IncludeObject.OBJECT, "v1").get("rows").get(0).get("object");
    assertEquals(obj(POD), full);
    // list items come without kind/apiVersion: filled in for the row object
    ObjectNode bare = obj(POD);
    bare.remove("kind");
    bare.remove("apiVersion");
    JsonNode filled = tc.fromObject(Kind.POD, bare, IncludeObject.OBJECT, "v1").get("rows").get(0).get("object");
    assertEquals("Pod", filled.get("kind").asText());
    assertEquals("v1", filled.get("apiVersion").asText());
    JsonNode v1beta1 = tc.fromObject(Kind.POD, obj(POD), IncludeObject.METADATA, "v1beta1");
    assertEquals("meta.k8s.io/v1beta1", v1beta1.get("apiVersion").asText());
    assertEquals("meta.k8s.io/v1beta1", v1beta1.get("rows").get(0).get("object").get("apiVersion").asText());
  }

  @Test
  void listTableKeepsListResourceVersionAndContinue() {
    ObjectNode list = obj("""
        {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"42","continue":"tok"},"items":[]}""");
    list.withArray("items").add(obj(POD));
    ObjectNode second = obj(POD);
    ((ObjectNode) second.get("metadata")).put("name", "p2");
    list.withArray("items").add(second);
    ObjectNode table = tc.fromList(Kind.POD, list, IncludeObject.METADATA, "v1");
    assertEquals(arr("{\"resourceVersion\":\"42\",\"continue\":\"tok\"}"), table.get("metadata"));
    assertEquals(2, table.get("rows").size());
    assertEquals("p2", table.get("rows").get(1).get("cells").get(0).asText());
    assertEquals(table, tc.convert(list, IncludeObject.METADATA, "v1").orElseThrow());
    assertEquals(tc.fromObject(Kind.POD, obj(POD), IncludeObject.METADATA, "v1"),
        tc.convert(obj(POD), IncludeObject.METADATA, "v1").orElseThrow());
    assertTrue(tc.convert(obj("{\"kind\":\"Lease\",\"metadata\":{}}"), IncludeObject.METADATA, "v1").isEmpty());
  }

  @Test
  void emptyListTableStillHasColumnsAndResourceVersion() {
    ObjectNode table = tc.fromItems(Kind.DEPLOYMENT, List.of(), "99", null, IncludeObject.METADATA, "v1");
    assertEquals(arr("{\"resourceVersion\":\"99\"}"), table.get("metadata"));
    assertEquals(8, table.get("columnDefinitions").size());
    assertEquals(0, table.get("rows").size());
    ObjectNode emptyList = obj("{\"kind\":\"DeploymentList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":\"99\"},\"items\":[]}");
    assertEquals(table, tc.convert(emptyList, IncludeObject.METADATA, "v1").orElseThrow());
  }

  @Test
  void podRowConditionsForFinishedPods() {
    ObjectNode done = obj(POD);
    ((ObjectNode) done.get("status")).put("phase", "Succeeded");
    assertEquals(arr("""
        [{"type":"Completed","status":"True","reason":"Succeeded","message":"The pod has completed successfully."}]"""),
        tc.fromObject(Kind.POD, done, IncludeObject.NONE, "v1").get("rows").get(0).get("conditions"));
    assertFalse(tc.fromObject(Kind.POD, obj(POD), IncludeObject.NONE, "v1").get("rows").get(0).has("conditions"));
  }

  @Test
  void watchEvents() {
    ObjectNode ev = tc.watchEvent(Kind.POD, "ADDED", obj(POD), IncludeObject.METADATA, "v1", true);
    assertEquals("ADDED", ev.get("type").asText());
    assertEquals(tc.fromObject(Kind.POD, obj(POD), IncludeObject.METADATA, "v1"), ev.get("object"));

    ObjectNode later = tc.watchEvent(Kind.POD, "DELETED", obj(POD), IncludeObject.METADATA, "v1", false);
    assertEquals(0, later.get("object").get("columnDefinitions").size());
    assertEquals(1, later.get("object").get("rows").size());

    ObjectNode bookmark = tc.watchEvent(Kind.POD, "BOOKMARK",
        obj("{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"77\"}}"), IncludeObject.METADATA, "v1", true);
    assertEquals("77", bookmark.get("object").get("metadata").get("resourceVersion").asText());
    assertEquals(0, bookmark.get("object").get("rows").size());

    ObjectNode status = obj("""
        {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 1 (40)",
         "reason":"Expired","code":410}""");
    assertEquals(status, tc.watchEvent(Kind.POD, "ERROR", status, IncludeObject.METADATA, "v1", true).get("object"));
  }
}
