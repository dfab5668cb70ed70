package io.steuermann.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.steuermann.engine.model.Kind;
import org.junit.jupiter.api.Test;

/** Which changes make the index rebuild: not the pod status churn the DNS does not read. */
class DnsWatcherTest {
  @Test
  void aPodsConditionsDoNotCountItsAddressAndEndDo() {
    var running = DnsAnswersTest.pod("n", "p", "10.244.0.5", "Running", false);
    var unready = running.deepCopy();
    unready.with("status").putArray("conditions").addObject().put("type", "Ready").put("status", "False");
    assertEquals(DnsWatcher.relevant(Kind.POD, running), DnsWatcher.relevant(Kind.POD, unready));
    assertNotEquals(DnsWatcher.relevant(Kind.POD, running),
        DnsWatcher.relevant(Kind.POD, DnsAnswersTest.pod("n", "p", "10.244.0.6", "Running", false)));
    assertNotEquals(DnsWatcher.relevant(Kind.POD, running),
        DnsWatcher.relevant(Kind.POD, DnsAnswersTest.pod("n", "p", "10.244.0.5", "Failed", false)));
    assertNotEquals(DnsWatcher.relevant(Kind.POD, running), DnsWatcher.relevant(Kind.POD, null));
  }

  @Test
  void aServicesSpecAndAnEndpointsSubsetsCount() {
    var web = DnsAnswersTest.service("n", "web", "{\"clusterIP\":\"10.96.0.20\"}");
    var annotated = web.deepCopy();
    annotated.with("metadata").putObject("annotations").put("a", "b");
    assertEquals(DnsWatcher.relevant(Kind.SERVICE, web), DnsWatcher.relevant(Kind.SERVICE, annotated));
    assertNotEquals(DnsWatcher.relevant(Kind.SERVICE, web),
        DnsWatcher.relevant(Kind.SERVICE, DnsAnswersTest.service("n", "web", "{\"clusterIP\":\"None\"}")));
    var endpoints = DnsAnswersTest.json("{\"subsets\":[{\"addresses\":[{\"ip\":\"10.244.0.5\"}]}]}");
    assertNotEquals(DnsWatcher.relevant(Kind.ENDPOINTS, endpoints),
        DnsWatcher.relevant(Kind.ENDPOINTS, DnsAnswersTest.json("{}")));
  }
}
