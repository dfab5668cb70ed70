package io.steuermann.machines;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command to its end and keeps what it printed and its exit code. The rig's every
 * {@code ip}, {@code docker} and {@code nsenter} goes through here, so a failure always names
 * the command and shows its output.
 */
public final class Shell {
  /** Long enough for a {@code docker run} on a busy 2-core machine; a hung command fails. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private Shell() {}

  /** What a finished command left. */
  public record Result(List<String> command, int exitCode, String out, String err) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** This result if the exit code is 0; otherwise an exception naming the command and its output. */
    public Result check() {
      if (!ok()) {
        throw new CommandFailed(this);
      }
      return this;
    }

    @Override
    public String toString() {
      return String.join(" ", command) + " -> exit " + exitCode
          + (out.isBlank() ? "" : "\n  out: " + out.strip())
          + (err.isBlank() ? "" : "\n  err: " + err.strip());
    }
  }

  /** A command that exited non-zero where success was required. */
  public static final class CommandFailed extends RuntimeException {
    private final transient Result result;

    CommandFailed(Result result) {
      super(result.toString());
      this.result = result;
    }

    public Result result() {
      return result;
    }
  }

  /** Runs {@code command}, whatever its exit code. */
  public static Result run(String... command) {
    return run(List.of(command), null, DEFAULT_TIMEOUT);
  }

  /** Runs {@code command} and requires exit code 0. */
  public static Result check(String... command) {
    return run(command).check();
  }

  /** {@code sh -c script}, whatever its exit code. */
  public static Result sh(String script) {
    return run("sh", "-c", script);
  }

  /**
   * Runs {@code command} with {@code stdin} (null: none) and waits at most {@code timeout};
   * a command still running then is killed and reported with exit code -1.
   */
  public static Result run(List<String> command, byte[] stdin, Duration timeout) {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("JAVA_TOOL_OPTIONS");
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      return new Result(List.copyOf(command), 127, "", e.toString());
    }
    // both pipes drained at once: a chatty command would otherwise block on a full pipe
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      try (var in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin);
        }
      } catch (IOException e) {
        // the command did not read its input: its output says why
      }
      boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!finished) {
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      return new Result(List.copyOf(command), finished ? p.exitValue() : -1,
          out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS)
              + (finished ? "" : "\n(killed after " + timeout + ")"));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      // a descendant holding the pipe open (a daemon started by the command) keeps it from closing
      return new Result(List.copyOf(command), p.exitValue(), "", "(output not readable: " + e + ")");
    }
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    return CompletableFuture.supplyAsync(() -> {
      try (stream) {
        return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, r -> {
      Thread t = new Thread(r, "shell-drain");
      t.setDaemon(true);
      t.start();
    });
  }

  /** {@code words} followed by {@code more}. */
  static List<String> concat(List<String> words, String... more) {
    List<String> all = new ArrayList<>(words);
    all.addAll(List.of(more));
    return all;
  }
}
