package io.steuermann.engine.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.steuermann.engine.services.ClaimEntity.Claim;
import io.steuermann.engine.services.ClaimEntity.Claimed;
import io.steuermann.engine.services.ClaimEntity.Command;
import io.steuermann.engine.services.ClaimEntity.Event;
import io.steuermann.engine.services.ClaimEntity.Holder;
import io.steuermann.engine.services.ClaimEntity.Inspect;
import io.steuermann.engine.services.ClaimEntity.Release;
import io.steuermann.engine.services.ClaimEntity.Released;
import io.steuermann.engine.services.ClaimEntity.Result;
import io.steuermann.engine.services.ClaimEntity.State;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** A claim on one value: who may take it, who may free it, what is journaled, and recovery. */
@ExtendWith(TestKitJUnit5Extension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClaimEntityTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.loglevel = WARNING
          pekko.actor.serialize-messages = on
          """));

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  private static final Holder A = new Holder("uid-a", "default", "a", 1000);
  private static final Holder B = new Holder("uid-b", "default", "b", 2000);

  private EventSourcedBehaviorTestKit<Command, Event, State> claim(String id) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), ClaimEntity.create(id, ""));
  }

  @Test
  void aFreeValueGoesToTheFirstClaimantAndStaysWithIt() {
    var kit = claim("port-30001");
    CommandResultWithReply<Command, Event, State, Result> first = kit.runCommand(r -> new Claim(A, null, r));
    assertTrue(first.reply().granted());
    assertEquals(new Claimed(A), first.event());

    CommandResultWithReply<Command, Event, State, Result> second = kit.runCommand(r -> new Claim(B, null, r));
    assertFalse(second.reply().granted());
    assertEquals(A, second.reply().holder());
    assertTrue(second.hasNoEvents());

    // asking again for the same uid is granted without a write (retries are harmless)
    CommandResultWithReply<Command, Event, State, Result> again = kit.runCommand(
        r -> new Claim(new Holder("uid-a", "default", "a", 5000), null, r));
    assertTrue(again.reply().granted());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void onlyTheHolderReleasesAndAnOrphanIsTakenOverByNamingIt() {
    var kit = claim("ip-127.64.0.9");
    kit.<Result>runCommand(r -> new Claim(A, null, r));
    CommandResultWithReply<Command, Event, State, Result> wrongRelease = kit.runCommand(r -> new Release("uid-b", r));
    assertFalse(wrongRelease.reply().granted());
    assertTrue(wrongRelease.hasNoEvents());

    CommandResultWithReply<Command, Event, State, Result> takeOver = kit.runCommand(r -> new Claim(B, "uid-a", r));
    assertTrue(takeOver.reply().granted());
    assertEquals(B, takeOver.state().holder());

    CommandResultWithReply<Command, Event, State, Result> release = kit.runCommand(r -> new Release("uid-b", r));
    assertTrue(release.reply().granted());
    assertEquals(new Released("uid-b"), release.event());
    assertNull(kit.<Result>runCommand(r -> new Inspect(r)).reply().holder());
  }

  @Test
  void theHolderSurvivesARestart() {
    var kit = claim("port-30002");
    kit.<Result>runCommand(r -> new Claim(A, null, r));
    kit.restart();
    assertEquals(A, kit.<Result>runCommand(r -> new Inspect(r)).reply().holder());
    assertFalse(kit.<Result>runCommand(r -> new Claim(B, null, r)).reply().granted());
  }
}
