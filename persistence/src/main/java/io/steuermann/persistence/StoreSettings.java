package io.steuermann.persistence;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;

/** Where the journal lives and how to log in to it. */
public record StoreSettings(StoreKind kind, String jdbcUrl, String user, String password) {

  /**
   * WRITE_DELAY=0 makes H2 write the MVStore chunk in the committing thread before COMMIT
   * returns (the default 500 ms leaves acknowledged writes in memory, lost on kill -9).
   * DB_CLOSE_ON_EXIT=FALSE: H2's own shutdown hook would race Pekko's coordinated shutdown and
   * close the database under the journal; {@link JournalDatabase#shutdown()} closes it last.
   * MAX_COMPACT_TIME=0: no compaction while closing; H2 2.3.232's close-time chunk moving failed
   * here with an internal AssertionError (the store compacts in the background while open anyway).
   */
  static final String H2_URL_OPTIONS = ";WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE;MAX_COMPACT_TIME=0";

  public StoreSettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** An H2 database at {@code <dataDir>/journal}; the directory is created if missing. */
  public static StoreSettings h2(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + dataDir, e);
    }
    Path file = dataDir.toAbsolutePath().normalize().resolve("journal");
    return new StoreSettings(StoreKind.H2, "jdbc:h2:file:" + file + H2_URL_OPTIONS, "sa", "");
  }

  public static StoreSettings postgres(String url, String user, String password) {
    return new StoreSettings(StoreKind.POSTGRES, url, user, password);
  }

  /** Reads {@code steuermann.store} from the application's root configuration. */
  public static StoreSettings fromConfig(Config root) {
    Config store = root.getConfig("steuermann.store");
    String kind = store.getString("kind").trim().toLowerCase(Locale.ROOT);
    return switch (kind) {
      case "h2" -> h2(Path.of(store.getString("data-dir")));
      case "postgres", "postgresql" -> postgres(
          store.getString("postgres.url"),
          store.getString("postgres.user"),
          store.getString("postgres.password"));
      default -> throw new IllegalArgumentException(
          "steuermann.store.kind must be \"h2\" or \"postgres\", not \"" + kind + "\"");
    };
  }

  public String driverClassName() {
    return switch (kind) {
      case H2 -> "org.h2.Driver";
      case POSTGRES -> "org.postgresql.Driver";
    };
  }

  /** Keeps the password out of logs. */
  @Override
  public String toString() {
    return "StoreSettings[kind=" + kind + ", jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
