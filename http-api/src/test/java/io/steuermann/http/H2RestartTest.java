package io.steuermann.http;

import com.typesafe.config.Config;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store round trip on the embedded H2 journal (a data directory of its own). */
class H2RestartTest extends StoreRoundTrip {
  @TempDir
  Path dataDir;

  @Override
  protected Config store() {
    return TestServer.h2(dataDir);
  }
}
