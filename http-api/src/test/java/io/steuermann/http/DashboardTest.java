package io.steuermann.http;

import static io.steuermann.http.TestServer.expect;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The dashboard end to end: Debian's headless chromium (Selenium) on the page a real server
 * serves at /ui/, with the controllers running and two hollow nodes; every change is made
 * through the API (as kubectl would) or through the page, and seen in the other. Screenshots
 * go to target/ui-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dataDir;
  static int port;
  static TestServer server;
  static Browser browser;

  static Config config() {
    return TestServer.h2(dataDir).withFallback(ConfigFactory.parseString("""
        steuermann.api.port = %d
        steuermann.api.bind-address = "%s"
        steuermann.controllers.enabled = true
        steuermann.node.hollow-nodes = 2
        steuermann.node.name-prefix = "ui-"
        """.formatted(port, browser.serverAddress())));
  }

  @BeforeAll
  static void start() throws IOException {
    browser = Browser.start(1280, 800);
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName(browser.serverAddress()))) {
      port = s.getLocalPort();
    }
    server = TestServer.startWithNodes("DashboardTest", config());
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (server != null) {
      server.close();
    }
  }

  private static void openPage(String view) {
    browser.open(server.base + "/ui/#" + view);
    browser.until(WAIT, "the page is live", d -> "live".equals(browser.one("#connection").getAttribute("data-state")));
  }

  private static String deployment(String name, int replicas, int minReadySeconds) {
    return """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"%s"},
         "spec":{"replicas":%d,"minReadySeconds":%d,"selector":{"matchLabels":{"app":"%s"}},
          "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1,"maxUnavailable":0}},
          "template":{"metadata":{"labels":{"app":"%s"}},
           "spec":{"containers":[{"name":"main","image":"busybox:1.36"}]}}}}"""
        .formatted(name, replicas, minReadySeconds, name, name);
  }

  /** Clicks what css finds, again if a render replaced it meanwhile. */
  private static void click(String css) {
    browser.until(WAIT, "clicked " + css, d -> {
      browser.one(css).click();
      return true;
    });
  }

  /** Types into a field as a user does: into it, everything selected, the new text over it. */
  private static void type(String css, String value) {
    click(css);
    browser.one(css).sendKeys(Keys.chord(Keys.CONTROL, "a"), value);
  }

  private static List<WebElement> chips(String prefix) {
    return browser.all(".chip[data-pod^='" + prefix + "']");
  }

  private static String deploymentsPath(String ns) {
    return "/apis/apps/v1/namespaces/" + ns + "/deployments";
  }

  @Test
  @Order(1)
  void aDeploymentsPodsAppearAsTheyAreCreated() {
    server.namespace("ui-appear");
    openPage("pods");
    assertEquals(0, chips("ui-appear/").size());
    expect(201, server.post(deploymentsPath("ui-appear"), deployment("web", 3, 0)));
    browser.until(WAIT, "three pods of web shown", d -> chips("ui-appear/web-").size() == 3);
    browser.until(WAIT, "all three ready (green)", d -> chips("ui-appear/web-").stream()
        .allMatch(c -> "ready".equals(c.getAttribute("data-state"))));
    // each chip is on the card of the node the API says the pod runs on
    for (JsonNode pod : expect(200, server.get("/api/v1/namespaces/ui-appear/pods")).path("items")) {
      String node = pod.path("spec").path("nodeName").asText();
      String name = pod.path("metadata").path("name").asText();
      assertEquals(1, browser.all(".node-card[data-node='" + node + "'] .chip[data-pod='ui-appear/" + name + "']").size(),
          name + " is shown on " + node);
    }
    browser.screenshot("pods-by-node");
  }

  @Test
  @Order(2)
  void aScaleFromThePageReachesTheApiAndAFailedOneShowsTheStatusMessage() {
    server.namespace("ui-scale");
    expect(201, server.post(deploymentsPath("ui-scale"), deployment("web", 1, 0)));
    openPage("deployments");
    String card = ".deployment[data-deployment='ui-scale/web']";
    browser.until(WAIT, "the deployment is shown", d -> !browser.all(card).isEmpty());
    type(card + " input.replicas", "4");
    click(card + " button.scale");
    browser.until(WAIT, "the scale is answered", d -> !browser.one("#notice").getText().isEmpty());
    assertTrue(browser.one("#notice").getText().contains("scale ui-scale/web to 4: done"), browser.one("#notice").getText());
    await().atMost(WAIT).until(() -> expect(200, server.get(deploymentsPath("ui-scale") + "/web"))
        .path("spec").path("replicas").asInt() == 4);
    browser.until(WAIT, "the rollout of 4 is complete on the page", d -> browser.one(card + " .progress-text").getText()
        .startsWith("Complete: 4 of 4 updated"));

    // the API's own words for a refused scale, as kubectl would print them
    String refusal = TestServer.json(server.patch(deploymentsPath("ui-scale") + "/web/scale",
        "application/merge-patch+json", "{\"spec\":{\"replicas\":-1}}")).path("message").asText();
    assertFalse(refusal.isEmpty());
    type(card + " input.replicas", "-1");
    click(card + " button.scale");
    browser.until(WAIT, "the refusal is shown", d -> "error".equals(browser.one("#notice").getAttribute("data-kind")));
    assertTrue(browser.one("#notice").getText().contains(refusal), browser.one("#notice").getText());
    browser.screenshot("scale-refused");
    assertEquals(4, expect(200, server.get(deploymentsPath("ui-scale") + "/web")).path("spec").path("replicas").asInt());
  }

  @Test
  @Order(3)
  void aRolloutStartedFromThePageShowsItsProgressAndUndoGoesBack() {
    server.namespace("ui-roll");
    // minReadySeconds makes each step of the rolling update take a while, so it can be watched
    expect(201, server.post(deploymentsPath("ui-roll"), deployment("web", 3, 2)));
    openPage("deployments");
    String card = ".deployment[data-deployment='ui-roll/web']";
    browser.until(Duration.ofSeconds(60), "the first rollout completes", d -> !browser.all(card).isEmpty()
        && "complete".equals(browser.one(card).getAttribute("data-state")));
    click(card + " button.restart");
    Set<String> seen = new LinkedHashSet<>();
    AtomicInteger bothSets = new AtomicInteger();
    browser.until(WAIT, "the rollout runs", d -> {
      seen.add(browser.one(card + " .progress-text").getText());
      return "progressing".equals(browser.one(card).getAttribute("data-state"));
    });
    browser.until(Duration.ofSeconds(60), "the rollout completes", d -> {
      String progress = browser.one(card + " .progress-text").getText();
      if (seen.add(progress) && progress.startsWith("Rolling out: 1 of 3") && bothSets.get() == 0) {
        browser.screenshot("rollout-in-progress");
      }
      if (!browser.all(card + " tr[data-role=new]").isEmpty() && !browser.all(card + " tr[data-role=old]").isEmpty()) {
        bothSets.incrementAndGet();
      }
      return "complete".equals(browser.one(card).getAttribute("data-state"));
    });
    assertTrue(seen.stream().anyMatch(s -> s.startsWith("Rolling out: 1 of 3 updated")
        || s.startsWith("Rolling out: 2 of 3 updated")), "a step of the rollout was shown: " + seen);
    assertTrue(bothSets.get() > 0, "the old and the new ReplicaSet were shown side by side");
    assertTrue(browser.one(card + " .bounds").getText().contains("at most 4 pods (surge 1), at least 3 available"));
    JsonNode restarted = expect(200, server.get(deploymentsPath("ui-roll") + "/web"));
    assertFalse(restarted.path("spec").path("template").path("metadata").path("annotations")
        .path("kubectl.kubernetes.io/restartedAt").isMissingNode());

    click(card + " button.undo");
    await().atMost(WAIT).untilAsserted(() -> {
      JsonNode d = expect(200, server.get(deploymentsPath("ui-roll") + "/web"));
      assertTrue(d.path("spec").path("template").path("metadata").path("annotations")
          .path("kubectl.kubernetes.io/restartedAt").isMissingNode(), "the template of revision 1 is back");
      assertEquals("3", d.path("metadata").path("annotations").path("deployment.kubernetes.io/revision").asText());
    });
    browser.until(Duration.ofSeconds(60), "the undo's rollout completes", d ->
        "complete".equals(browser.one(card).getAttribute("data-state"))
            && browser.all(card + " tr[data-role=new]").stream().anyMatch(r -> r.getText().startsWith("3 ")));
    browser.screenshot("rollout-undone");
  }

  @Test
  @Order(4)
  void aPodThatTurnsUnreadyChangesColourWithinASecond() throws Exception {
    AtomicInteger answer = new AtomicInteger(200);
    HttpServer probeTarget = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    probeTarget.createContext("/ready", exchange -> {
      exchange.sendResponseHeaders(answer.get(), -1);
      exchange.close();
    });
    probeTarget.start();
    try {
      server.namespace("ui-ready");
      expect(201, server.post("/api/v1/namespaces/ui-ready/pods", """
          {"apiVersion":"v1","kind":"Pod","metadata":{"name":"probed","labels":{"app":"probed"}},
           "spec":{"containers":[{"name":"main","image":"busybox:1.36",
             "readinessProbe":{"httpGet":{"host":"127.0.0.1","port":%d,"path":"/ready"},
               "periodSeconds":1,"failureThreshold":1,"successThreshold":1}}]}}"""
          .formatted(probeTarget.getAddress().getPort())));
      expect(201, server.post("/api/v1/namespaces/ui-ready/services", """
          {"apiVersion":"v1","kind":"Service","metadata":{"name":"probed"},
           "spec":{"selector":{"app":"probed"},"ports":[{"port":80}]}}"""));
      openPage("pods");
      String chip = ".chip[data-pod='ui-ready/probed']";
      browser.until(WAIT, "the pod is ready (green)", d -> !browser.all(chip).isEmpty()
          && "ready".equals(browser.one(chip).getAttribute("data-state")));
      String service = ".service[data-service='ui-ready/probed']";
      openPage("services");
      browser.until(WAIT, "the Service has the pod as a ready endpoint", d -> !browser.all(service).isEmpty()
          && browser.one(service + " .endpoint-count").getText().equals("1 ready, 0 not ready"));
      openPage("pods");
      answer.set(503);
      await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> {
        JsonNode pod = expect(200, server.get("/api/v1/namespaces/ui-ready/pods/probed"));
        for (JsonNode c : pod.path("status").path("conditions")) {
          if ("Ready".equals(c.path("type").asText())) {
            return "False".equals(c.path("status").asText());
          }
        }
        return false;
      });
      long apiSaw = System.nanoTime();
      browser.until(Duration.ofSeconds(1), "the chip turns unready within a second of the API",
          d -> "unready".equals(browser.one(chip).getAttribute("data-state")));
      long ms = Duration.ofNanos(System.nanoTime() - apiSaw).toMillis();
      System.out.println("DashboardTest: the page showed the unready pod " + ms + " ms after the API had it");
      browser.screenshot("pod-unready");
      openPage("services");
      browser.until(WAIT, "the endpoint is not ready", d -> browser.one(service + " .endpoint-count").getText()
          .equals("0 ready, 1 not ready")
          && "unready".equals(browser.one(service + " .endpoint").getAttribute("data-state")));
      browser.screenshot("service-endpoints");
    } finally {
      probeTarget.stop(0);
    }
  }

  @Test
  @Order(5)
  void podsAreDeletedAndNodesCordonedFromThePage() {
    server.namespace("ui-act");
    server.pod("ui-act", "victim", "{\"app\":\"victim\"}");
    openPage("pods");
    String chip = ".chip[data-pod='ui-act/victim']";
    browser.until(WAIT, "the pod is shown", d -> !browser.all(chip).isEmpty());
    click(chip);
    browser.until(WAIT, "its details are shown", d -> !browser.all(".pod-detail button.danger").isEmpty());
    click(".pod-detail button.danger");
    browser.driver.switchTo().alert().accept();
    await().atMost(WAIT).until(() -> server.get("/api/v1/namespaces/ui-act/pods/victim").statusCode() == 404);
    browser.until(WAIT, "the pod is gone from the page", d -> browser.all(chip).isEmpty());

    String node = expect(200, server.get("/api/v1/nodes")).path("items").get(0).path("metadata").path("name").asText();
    openPage("cluster");
    String row = "tr[data-node='" + node + "']";
    browser.until(WAIT, "the node is shown Ready", d -> !browser.all(row).isEmpty()
        && "ready".equals(browser.one(row).getAttribute("data-state")));
    click(row + " button");
    await().atMost(WAIT).until(() -> expect(200, server.get("/api/v1/nodes/" + node)).path("spec")
        .path("unschedulable").asBoolean());
    browser.until(WAIT, "the node is shown cordoned", d -> "cordoned".equals(browser.one(row).getAttribute("data-state")));
    assertTrue(browser.one(row).getText().contains("SchedulingDisabled"));
    browser.screenshot("cluster-cordoned");
    click(row + " button");
    await().atMost(WAIT).until(() -> !expect(200, server.get("/api/v1/nodes/" + node)).path("spec")
        .path("unschedulable").asBoolean());
    browser.until(WAIT, "the node is shown schedulable", d -> "ready".equals(browser.one(row).getAttribute("data-state")));
    assertFalse(browser.all(".members li").isEmpty(), "the members of the cluster are listed");
  }

  @Test
  @Order(6)
  void aPodsLogIsFollowedLiveAndClusterDataIsShownAsText() {
    server.namespace("ui-logs");
    expect(201, server.post("/api/v1/namespaces/ui-logs/pods", """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"sleeper"},
         "spec":{"restartPolicy":"Never","containers":[{"name":"main","image":"busybox:1.36","command":["sleep","4"]}]}}"""));
    openPage("pods");
    String chip = ".chip[data-pod='ui-logs/sleeper']";
    browser.until(WAIT, "the pod runs", d -> !browser.all(chip).isEmpty()
        && "ready".equals(browser.one(chip).getAttribute("data-state")));
    click(chip);
    browser.until(WAIT, "its details are shown", d -> !browser.all(".pod-detail button").isEmpty());
    click(".pod-detail button.logs");
    browser.until(WAIT, "the first line is shown", d -> browser.one("pre.log").getText().contains("hollow container main"));
    assertFalse(browser.one("pre.log").getText().contains("exited"));
    browser.until(WAIT, "the line written on exit comes while following", d -> browser.one("pre.log").getText()
        .contains("exited with code 0"));
    browser.until(WAIT, "the end of the log is said", d -> browser.one(".log-state").getText().contains("the log ended"));
    browser.screenshot("pod-log");

    String html = "<img src=x onerror=\"document.title='owned'\"><script>document.title='owned'</script>";
    expect(201, server.post("/api/v1/namespaces/ui-logs/events", """
        {"apiVersion":"v1","kind":"Event","metadata":{"name":"sleeper.html"},
         "involvedObject":{"kind":"Pod","namespace":"ui-logs","name":"sleeper"},
         "reason":"Markup","message":%s,"type":"Warning","count":1,
         "firstTimestamp":"2026-01-01T00:00:00Z","lastTimestamp":"2099-01-01T00:00:00Z",
         "source":{"component":"test"}}""".formatted(io.steuermann.engine.model.Json.MAPPER.valueToTree(html))));
    openPage("events");
    browser.until(WAIT, "the event is shown", d -> browser.all(".event").stream()
        .anyMatch(e -> e.getText().contains(html)));
    assertTrue(browser.all("img").isEmpty(), "no element was made from the message");
    assertTrue(browser.all("main script").isEmpty());
    assertEquals("Steuermann", browser.driver.getTitle());
    assertEquals("warning", browser.all(".event").stream().filter(e -> e.getText().contains(html)).findFirst()
        .orElseThrow().getAttribute("data-state"));
  }

  @Test
  @Order(7)
  void itIsReadableAtAPhonesWidthAndUsableByKeyboard() {
    try {
      browser.driver.manage().window().setSize(new Dimension(390, 844));
      for (String view : List.of("cluster", "pods", "deployments", "services", "events")) {
        openPage(view);
        long overflow = (Long) browser.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;");
        assertTrue(overflow <= 0, view + " fits a phone's width (" + overflow + " px too wide)");
        browser.screenshot("phone-" + view);
      }
    } finally {
      browser.driver.manage().window().setSize(new Dimension(1280, 800));
    }
    openPage("cluster");
    browser.one("#tab-cluster").sendKeys(Keys.ARROW_RIGHT);
    browser.until(WAIT, "the arrow key moves to the next tab", d ->
        "true".equals(browser.one("#tab-pods").getAttribute("aria-selected")) && browser.one("#view-pods").isDisplayed());
    assertEquals("tab-pods", browser.script("return document.activeElement.id"));
    browser.driver.switchTo().activeElement().sendKeys(Keys.ARROW_RIGHT);
    browser.until(WAIT, "and on", d -> "true".equals(browser.one("#tab-deployments").getAttribute("aria-selected")));
    // the deployment's actions are real buttons, reached with Tab
    openPage("deployments");
    String outline = (String) browser.script("""
        const b = document.querySelector('button.scale'); b.focus();
        return getComputedStyle(b).outlineStyle;""");
    assertEquals("solid", outline, "a focused button shows its focus");
  }

  @Test
  @Order(8)
  void thePageResumesAfterTheServerRestarts() {
    server.namespace("ui-restart");
    server.pod("ui-restart", "before", "{\"app\":\"before\"}");
    openPage("pods");
    browser.until(WAIT, "the first pod is shown", d -> !browser.all(".chip[data-pod='ui-restart/before']").isEmpty());
    String lastEventId = (String) browser.script("return window.steuermann.stream.lastEventId");
    assertFalse(lastEventId.isEmpty());

    server.close();
    server = null;
    browser.until(WAIT, "the page notices", d -> !"live".equals(browser.one("#connection").getAttribute("data-state")));
    browser.screenshot("server-gone");
    server = TestServer.startWithNodes("DashboardTest", config());
    server.pod("ui-restart", "after", "{\"app\":\"after\"}");
    browser.until(Duration.ofSeconds(60), "the pod made after the restart is shown",
        d -> !browser.all(".chip[data-pod='ui-restart/after']").isEmpty());
    browser.until(WAIT, "live again", d -> "live".equals(browser.one("#connection").getAttribute("data-state")));
    assertFalse(browser.all(".chip[data-pod='ui-restart/before']").isEmpty());
    long resumes = (Long) browser.script("return window.steuermann.stream.resumes");
    System.out.println("DashboardTest: resumed with Last-Event-ID " + resumes + " time(s); the page had " + lastEventId);
    assertTrue(resumes >= 1, "the browser resumed with Last-Event-ID instead of listing again");
    browser.screenshot("resumed");
  }
}
