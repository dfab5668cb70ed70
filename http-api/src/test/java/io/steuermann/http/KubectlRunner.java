package io.steuermann.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl against one test server, with no user's kubeconfig: only --server counts. */
final class KubectlRunner {
  /** What kubectl did: its exit status, stdout and stderr apart. */
  record Result(int exit, String out, String err) {}

  /** A kubectl still running (a drain, a watch): {@link #finish} waits for it. */
  record Running(Process process, Path out, Path err) {
    Result finish(java.time.Duration within) throws IOException, InterruptedException {
      assertTrue(process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS), "kubectl did not finish in " + within);
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    }

    /** What it wrote to stderr so far. */
    String errSoFar() throws IOException {
      return Files.readString(err, StandardCharsets.UTF_8);
    }
  }

  private KubectlRunner() {}

  /** Starts kubectl with {@code args} and returns at once. */
  static Running start(URI server, Path work, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server=" + server));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("KUBECONFIG", work.resolve("no-kubeconfig").toString());
    Path out = Files.createTempFile(work, "out", ".txt");
    Path err = Files.createTempFile(work, "err", ".txt");
    return new Running(builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start(), out, err);
  }

  /** Runs kubectl with {@code args}; its output goes to files in {@code work}. */
  static Result run(URI server, Path work, String... args) throws IOException, InterruptedException {
    return start(server, work, args).finish(java.time.Duration.ofSeconds(60));
  }
}
