package io.steuermann.engine.encryption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.controllers.gc.TestEngine;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.persistence.StoreSettings;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets in the journal and the snapshots of a real H2 store: sealed (the database file holds
 * no byte of their values, while a ConfigMap's value is found there by the same scan), opened
 * again after a restart, re-sealed after a key rotation so the old key can go, and a start
 * without the key that sealed them refused.
 */
class SecretsAtRestTest {
  private static final String ENGINE = "steuermann.controllers.enabled = false\n";

  @TempDir
  Path dataDir;

  private final String secretValue = "s3cret-" + UUID.randomUUID();
  private final String plainValue = "plain-" + UUID.randomUUID();
  private final ObjectKey secret = ObjectKey.of(Kind.SECRET, "default", "db-password");

  @Test
  void secretsAreSealedInTheJournalAndSnapshotsAndOpenAfterARestart() throws Exception {
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      e.create(secretJson(secretValue, 0));
      e.create("""
          {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},
           "data":{"mode":"%s"}}""".formatted(plainValue));
      // past 100 events the entity writes a snapshot of its state: that is sealed too
      for (int i = 1; i <= 101; i++) {
        replace(e, secretJson(secretValue, i));
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> manifests("snapshot", "snapshot_ser_manifest").size() > 0);
    }
    String stored = storeBytes();
    assertTrue(stored.contains(plainValue), "the same scan finds a ConfigMap's value");
    assertFalse(stored.contains(secretValue), "the Secret's value is on disk");
    assertFalse(stored.contains(base64(secretValue).substring(0, 16)), "the Secret's base64 value is on disk");
    // 1 create + 101 replaces of the Secret sealed, the ConfigMap's and the namespace's plain
    List<String> events = manifests("event_journal", "event_ser_manifest");
    assertEquals(102, events.stream().filter(m -> m.startsWith("sealed:key-")).count(), events::toString);
    assertTrue(events.stream().anyMatch(m -> m.startsWith("io.steuermann.engine.objects.ObjectEvent")), events::toString);
    List<String> snapshots = manifests("snapshot", "snapshot_ser_manifest");
    assertTrue(snapshots.stream().allMatch(m -> m.startsWith("sealed:key-")), snapshots::toString);
    Path keyFile = dataDir.resolve("encryption-keys");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));

    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      ObjectNode read = get(e);
      assertEquals(base64(secretValue), read.path("data").path("password").asText());
      assertEquals("101", read.path("metadata").path("labels").path("round").asText());
    }
  }

  @Test
  void aRotatedKeyResealsTheStoreAndTheOldKeyCanGo() throws Exception {
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      e.create(secretJson(secretValue, 0));
      replace(e, secretJson(secretValue, 1));
    }
    Path keyFile = dataDir.resolve("encryption-keys");
    String oldKey = EncryptionKeys.load(keyFile).active();
    String newKey = EncryptionKeys.rotate(keyFile);
    assertEquals(List.of(newKey, oldKey), EncryptionKeys.load(keyFile).names());

    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> manifests("event_journal", "event_ser_manifest").stream()
          .filter(m -> m.startsWith("sealed:"))
          .allMatch(m -> m.startsWith("sealed:" + newKey + ":")));
      assertEquals(2, manifests("event_journal", "event_ser_manifest").stream()
          .filter(m -> m.startsWith("sealed:")).count());
      replace(e, secretJson(secretValue, 2));
    }
    // the old key's line removed: everything still opens
    List<String> lines = new ArrayList<>(Files.readAllLines(keyFile));
    lines.removeIf(l -> l.startsWith(oldKey + ":"));
    Files.write(keyFile, lines);
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      assertEquals("2", get(e).path("metadata").path("labels").path("round").asText());
    }
  }

  @Test
  void secretsWrittenPlainByAnEarlierVersionAreSealedAtTheNextStart() throws Exception {
    // the bindings of the version before sealing: every object as plain jackson-cbor
    String earlier = ENGINE
        + "pekko.actor.serialization-bindings {\n"
        + "  \"io.steuermann.engine.objects.ObjectEvent\" = jackson-cbor\n"
        + "  \"io.steuermann.engine.objects.ObjectState\" = jackson-cbor\n"
        + "}\n";
    try (TestEngine e = new TestEngine(dataDir, earlier)) {
      e.create(secretJson(secretValue, 0));
      replace(e, secretJson(secretValue, 1));
    }
    assertEquals(0, manifests("event_journal", "event_ser_manifest").stream()
        .filter(m -> m.startsWith("sealed:")).count(), "the earlier version wrote plain rows");
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      await().atMost(Duration.ofSeconds(20)).until(() -> manifests("event_journal", "event_ser_manifest").stream()
          .filter(m -> m.startsWith("sealed:")).count() == 2);
      assertEquals("1", get(e).path("metadata").path("labels").path("round").asText());
      replace(e, secretJson(secretValue, 2));
    }
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      assertEquals("2", get(e).path("metadata").path("labels").path("round").asText());
    }
    // H2 keeps old row versions in free pages of its file until they are reused; what the
    // database answers is sealed
    assertEquals(3, manifests("event_journal", "event_ser_manifest").stream()
        .filter(m -> m.startsWith("sealed:")).count());
  }

  @Test
  void aStartWithoutTheKeyThatSealedTheStoreIsRefused() throws Exception {
    String sealedWith;
    try (TestEngine e = new TestEngine(dataDir, ENGINE)) {
      e.create(secretJson(secretValue, 0));
      sealedWith = EncryptionKeys.load(dataDir.resolve("encryption-keys")).active();
    }
    Files.delete(dataDir.resolve("encryption-keys"));
    Exception refused = assertThrows(Exception.class, () -> new TestEngine(dataDir, ENGINE).close());
    assertTrue(refused.getMessage().contains("sealed with encryption key " + sealedWith), refused::getMessage);
    assertTrue(refused.getMessage().contains(dataDir.resolve("encryption-keys").toString()), refused::getMessage);
  }

  private static ObjectNode secretJson(String value, int round) {
    return TestEngine.json("""
        {"apiVersion":"v1","kind":"Secret","metadata":{"name":"db-password","namespace":"default",
          "labels":{"round":"%d"}},"type":"Opaque","data":{"password":"%s"}}""".formatted(round, base64(value)));
  }

  private void replace(TestEngine e, ObjectNode object) {
    TestEngine.done(e.engine.store().replace(secret, object, ObjectCommand.Part.MAIN).toCompletableFuture().join());
  }

  private ObjectNode get(TestEngine e) {
    return TestEngine.done(e.engine.store().get(secret).toCompletableFuture().join());
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Every byte the store keeps on disk, as Latin-1 text so that any ASCII run is found. */
  private String storeBytes() throws Exception {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    try (Stream<Path> files = Files.walk(dataDir)) {
      for (Path f : files.filter(Files::isRegularFile).filter(f -> !f.endsWith("encryption-keys")).toList()) {
        all.write(Files.readAllBytes(f));
      }
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** The manifests of a table's rows (through the same in-process database while an engine runs). */
  private List<String> manifests(String table, String column) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(StoreSettings.h2(dataDir).jdbcUrl(), "sa", "");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT \"" + column + "\" FROM \"" + table + "\"")) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
