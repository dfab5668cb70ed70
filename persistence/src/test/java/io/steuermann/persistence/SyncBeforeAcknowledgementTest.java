package io.steuermann.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durability without trusting the page cache: a child JVM appends through the real journal on
 * H2 under strace, and the system-call log must show, for every acknowledged event, an fsync of
 * the store file that completed after the event's bytes were first written to that file and
 * before the acknowledgement left the process. What a power cut can take is exactly what is not
 * yet fsynced, so nothing acknowledged is in that set. The same check run against
 * pekko-persistence-jdbc's own journal (which never syncs) finds violations: the check can fail.
 */
class SyncBeforeAcknowledgementTest {

  private static final Logger log = LoggerFactory.getLogger(SyncBeforeAcknowledgementTest.class);
  private static final int ENTITIES = 8;
  private static final int EVENTS = 25;

  @TempDir Path dir;

  @Test
  void everyAcknowledgedWriteWasFsyncedFirstAndConcurrentWritesShareSyncs() throws Exception {
    StraceLog trace = runTraced("steuermann-journal");
    assertEquals(ENTITIES * EVENTS, trace.acknowledged());
    List<StraceLog.Violation> violations = trace.violations();
    assertTrue(violations.isEmpty(), "acknowledged before an fsync of the store: " + violations);
    log.info("{} acknowledged writes, {} fsyncs of the store file", trace.acknowledged(), trace.syncCount());
    assertTrue(trace.syncCount() < trace.acknowledged(), "no group commit: " + trace.syncCount() + " syncs");
  }

  @Test
  void theCheckCatchesAJournalThatDoesNotSync() throws Exception {
    StraceLog trace = runTraced("jdbc-journal");
    assertEquals(ENTITIES * EVENTS, trace.acknowledged());
    assertFalse(trace.violations().isEmpty(), "pekko-persistence-jdbc's journal seemed to sync");
  }

  private StraceLog runTraced(String plugin) throws Exception {
    Path data = dir.resolve(plugin);
    Path out = dir.resolve(plugin + ".strace");
    Process child = new ProcessBuilder(
            "strace", "-f", "-qq", "-y", "-s", "1048576",
            "-e", "trace=write,pwrite64,pwritev,fsync,fdatasync", "-o", out.toString(),
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            SyncedWriterProcess.class.getName(), data.toString(), plugin,
            String.valueOf(ENTITIES), String.valueOf(EVENTS))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    assertTrue(child.waitFor(120, TimeUnit.SECONDS), "traced writer did not finish");
    assertEquals(0, child.exitValue(), "traced writer failed (is strace installed and ptrace allowed?)");
    return StraceLog.read(out, data.resolve("journal.mv.db").toString());
  }
}
