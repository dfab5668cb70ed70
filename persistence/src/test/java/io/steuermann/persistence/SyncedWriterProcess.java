package io.steuermann.persistence;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Child JVM for the sync-before-acknowledgement test, run under strace: {@code entities}
 * entities append {@code events} events each, concurrently, through the journal plugin named
 * {@code plugin}; every value is a unique marker, and "ACK marker" goes to stdout (one write
 * system call) when its append has been acknowledged.
 */
public final class SyncedWriterProcess {

  private SyncedWriterProcess() {}

  public static void main(String[] args) throws Exception {
    StoreSettings store = StoreSettings.h2(Path.of(args[0]));
    String plugin = args[1];
    int entities = Integer.parseInt(args[2]);
    int events = Integer.parseInt(args[3]);
    try (JournalDatabase db = JournalDatabase.open(store, 1)) {
      Schema.ensure(db);
      ActorTestKit testKit = ActorTestKit.create("synced-writer", ConfigFactory.empty()
          .withValue("pekko.persistence.journal.plugin", ConfigValueFactory.fromAnyRef(plugin))
          .withValue("pekko.loglevel", ConfigValueFactory.fromAnyRef("WARNING"))
          .withFallback(JournalContract.systemConfig(store)));
      try {
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int e = 0; e < entities; e++) {
          ActorRef<TestEntity.Command> entity = testKit.spawn(TestEntity.create("synced-" + e));
          CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
          for (int i = 1; i <= events; i++) {
            String marker = "MARK" + e + "x" + i + "END";
            chain = chain.thenCompose(ignored -> AskPattern.<TestEntity.Command, Long>ask(entity,
                    replyTo -> new TestEntity.Append(marker, replyTo), Duration.ofSeconds(30),
                    testKit.system().scheduler())
                .thenAccept(seqNr -> acknowledge(marker)));
          }
          chains.add(chain);
        }
        CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)).get();
      } finally {
        testKit.shutdownTestKit();
        db.shutdown();
      }
    }
  }

  private static synchronized void acknowledge(String marker) {
    System.out.print("ACK " + marker + "\n");
    System.out.flush();
  }
}
