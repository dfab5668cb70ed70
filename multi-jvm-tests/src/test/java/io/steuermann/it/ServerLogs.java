package io.steuermann.it;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * {@code @ExtendWith(ServerLogs.class)}: when a test fails, prints the tail of the log of every
 * {@link ServerProcess} the test started (to stderr, which surefire keeps in
 * {@code target/surefire-reports/*-output.txt}); after each test, kills the ones still running.
 */
public final class ServerLogs implements BeforeEachCallback, AfterEachCallback, TestWatcher {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ServerLogs.class);
  private static final int TAIL_LINES = 80;

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("first", ServerProcess.STARTED.size());
  }

  private static List<ServerProcess> startedIn(ExtensionContext context) {
    Integer first = context.getStore(NS).get("first", Integer.class);
    List<ServerProcess> all = List.copyOf(ServerProcess.STARTED);
    return all.subList(first == null ? 0 : Math.min(first, all.size()), all.size());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    for (ServerProcess p : startedIn(context)) {
      p.close();
    }
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    StringBuilder out = new StringBuilder();
    for (ServerProcess p : startedIn(context)) {
      out.append("\n===== ").append(p.name()).append(" (pid ").append(p.pid()).append(") log ")
          .append(p.log()).append(", last ").append(TAIL_LINES).append(" lines =====\n")
          .append(p.tail(TAIL_LINES)).append('\n');
    }
    if (out.length() > 0) {
      System.err.println("Test " + context.getDisplayName() + " failed; server logs:" + out);
    }
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    // nothing to show
  }

  @Override
  public void testDisabled(ExtensionContext context, Optional<String> reason) {
    // nothing to show
  }
}
