package io.steuermann.engine.autoscaling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The metrics reporter registers with the receptionist and answers by namespace; with every
 * message serialized (as between members, CBOR), so the protocol crosses the wire unchanged.
 */
class PodMetricsTest {
  static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      pekko.actor.serialize-messages = on
      pekko.actor.no-serialization-verification-needed-class-prefix = ["org.apache.pekko."]
      """).withFallback(ConfigFactory.load()));

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aReporterIsFoundThroughTheReceptionistAndAnswersForOneNamespace() {
    PodMetrics.PodUsage web = new PodMetrics.PodUsage("shop", "web-1", "u1", 1_000, 15_000,
        List.of(new PodMetrics.ContainerUsage("main", 250, 64L << 20), new PodMetrics.ContainerUsage("side", 5, 1024)));
    ActorRef<PodMetrics.Command> reporter = testKit.spawn(PodMetrics.reporter(
        namespace -> namespace.equals("shop") ? List.of(web) : List.of()));
    TestProbe<Receptionist.Listing> listings = testKit.createTestProbe();
    listings.awaitAssert(() -> {
      testKit.system().receptionist().tell(Receptionist.find(PodMetrics.KEY, listings.getRef()));
      assertEquals(java.util.Set.of(reporter), listings.receiveMessage().getServiceInstances(PodMetrics.KEY));
      return null;
    });
    TestProbe<PodMetrics.Report> answers = testKit.createTestProbe();
    reporter.tell(new PodMetrics.Get("shop", answers.getRef()));
    PodMetrics.Report report = answers.receiveMessage();
    assertEquals(List.of(web), report.pods());
    assertEquals(255, report.pods().get(0).total("cpu"));
    reporter.tell(new PodMetrics.Get("other", answers.getRef()));
    assertEquals(List.of(), answers.receiveMessage().pods());
  }
}
