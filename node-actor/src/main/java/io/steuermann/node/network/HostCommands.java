package io.steuermann.node.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the machine's network tools ({@code ip}, {@code iptables}): blocking, so callers run it
 * on their own threads. {@code prefix} goes before every command ({@code ip netns exec NS} in
 * tests that program a namespace of their own instead of the host).
 */
public record HostCommands(List<String> prefix) {
  /** What a command answered: its exit code and its output (stdout and stderr together). */
  public record Result(int exitCode, String output) {
    public boolean ok() {
      return exitCode == 0;
    }
  }

  public HostCommands {
    prefix = List.copyOf(prefix);
  }

  /** Commands on this process's own network namespace. */
  public static HostCommands local() {
    return new HostCommands(List.of());
  }

  public Result run(String... command) {
    return runWithInput("", command);
  }

  /** Runs a command with {@code input} as its standard input ({@code iptables-restore}). */
  public Result runWithInput(String input, String... command) {
    List<String> full = new ArrayList<>(prefix);
    full.addAll(List.of(command));
    try {
      Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
      try (var stdin = process.getOutputStream()) {
        stdin.write(input.getBytes(StandardCharsets.UTF_8));
      }
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, "timed out: " + String.join(" ", full));
      }
      return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted: " + String.join(" ", full));
    }
  }
}
