package io.steuermann.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiAdvertisementTest {
  private static Config config(String text) {
    return ConfigFactory.parseString(text + "\npekko.cluster.roles = [control, worker]")
        .withFallback(ConfigFactory.load());
  }

  @Test
  void theBindAddressUnlessWildcardThenTheClusterAddressUnlessGiven() {
    assertEquals("api@127.0.0.1:8080", ApiAdvertisement.of(config("")).orElseThrow().role());
    assertEquals("api@198.18.0.11:9000", ApiAdvertisement.of(config(
        "steuermann.api { bind-address = \"0.0.0.0\", port = 9000 }\n"
            + "pekko.remote.artery.canonical.hostname = \"198.18.0.11\"")).orElseThrow().role());
    assertEquals("api@127.0.0.5:8080", ApiAdvertisement.of(config(
        "steuermann.api { bind-address = \"0.0.0.0\", advertise-address = \"127.0.0.5\" }")).orElseThrow().role());
    assertTrue(ApiAdvertisement.of(config("steuermann.api.port = 0")).isEmpty());
    assertEquals(List.of("control", "worker", "api@127.0.0.1:8080"),
        ApiAdvertisement.withRole(config("")).getStringList("pekko.cluster.roles"));
  }
}
