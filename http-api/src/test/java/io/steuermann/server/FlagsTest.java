package io.steuermann.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class FlagsTest {

  @Test
  void flagsSetTheirConfigurationKeys() throws Exception {
    Config c = Flags.parse(new String[] {"--port", "9090", "--data-dir=/tmp/d", "--store", "postgres"});
    assertEquals(9090, c.getInt("steuermann.api.port"));
    assertEquals("/tmp/d", c.getString("steuermann.store.data-dir"));
    assertEquals("postgres", c.getString("steuermann.store.kind"));
  }

  @Test
  void runtimeFlagsSetTheNodeKeys() throws Exception {
    Config c = Flags.parse(new String[] {"--runtime", "docker", "--node-name", "n1", "--node-address", "10.0.0.2"});
    assertEquals("docker", c.getString("steuermann.node.runtime"));
    assertEquals("n1", c.getString("steuermann.node.name"));
    assertEquals("10.0.0.2", c.getString("steuermann.node.address"));
  }

  @Test
  void flagsWinOverAConfigFile() throws Exception {
    Path file = Files.createTempFile("steuermann", ".conf");
    Files.writeString(file, "steuermann.api.port = 7000\nsteuermann.api.bind-address = \"0.0.0.0\"\n");
    Config c = Flags.parse(new String[] {"--config", file.toString(), "--port", "7001"});
    assertEquals(7001, c.getInt("steuermann.api.port"));
    assertEquals("0.0.0.0", c.getString("steuermann.api.bind-address"));
  }

  @Test
  void unknownFlagsAndMissingValuesAreUsageErrors() {
    Flags.UsageException unknown = assertThrows(Flags.UsageException.class,
        () -> Flags.parse(new String[] {"--prot", "1"}));
    assertTrue(unknown.getMessage().contains("unknown flag --prot"));
    assertFalse(unknown.isHelp());
    assertThrows(Flags.UsageException.class, () -> Flags.parse(new String[] {"--port"}));
    assertTrue(assertThrows(Flags.UsageException.class, () -> Flags.parse(new String[] {"--help"})).isHelp());
  }
}
