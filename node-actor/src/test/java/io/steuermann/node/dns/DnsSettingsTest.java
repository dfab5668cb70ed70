package io.steuermann.node.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where names outside the cluster go: nowhere by default, never to the DNS itself. */
class DnsSettingsTest {
  static DnsSettings settings(String overrides) {
    return DnsSettings.fromConfig(ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference().getConfig("steuermann.dns")));
  }

  @Test
  void nothingIsForwardedByDefault() {
    assertTrue(settings("").forwarders(new InetSocketAddress("10.96.0.10", 53)).isEmpty());
  }

  @Test
  void aFlagsCommaListAndPortsAreRead() {
    // --dns-forward sets a string, a config file a list
    DnsSettings flag = settings("forward = \"127.0.0.2, 127.0.0.3:5353\"");
    assertEquals(List.of(new InetSocketAddress("127.0.0.2", 53), new InetSocketAddress("127.0.0.3", 5353)),
        flag.forwarders(new InetSocketAddress("10.96.0.10", 53)));
    assertEquals(flag.forward(), settings("forward = [\"127.0.0.2\", \"127.0.0.3:5353\"]").forward());
  }

  @Test
  void hostMeansTheMachinesNameserversButNeverTheDnsItself() throws Exception {
    Path resolv = Files.createTempFile("resolv", ".conf");
    try {
      Files.writeString(resolv, "search example\nnameserver 127.0.0.53\n# nameserver 127.0.0.9\nnameserver 10.96.0.10\n");
      DnsSettings host = settings("forward = [host], host-resolv-conf = \"" + resolv + "\"");
      assertEquals(List.of(new InetSocketAddress("127.0.0.53", 53)),
          host.forwarders(new InetSocketAddress("10.96.0.10", 53)));
    } finally {
      Files.delete(resolv);
    }
  }
}
