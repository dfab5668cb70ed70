package io.steuermann.persistence;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The journal contract on a real H2 file in a temporary directory. */
class H2JournalTest extends JournalContract {

  @TempDir static Path dataDir;

  @Override
  protected StoreSettings openStore() {
    return StoreSettings.h2(dataDir);
  }
}
