package io.steuermann.machines;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real kubectl against one API server, with no user's kubeconfig. */
record Kubectl(String server) {

  /** Its exit status and its output (stdout and stderr together). */
  record Result(int exit, String output) {}

  /** A kubectl that keeps running (port-forward, say); its output goes to {@code out}. */
  Process start(Path out, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", server));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    builder.environment().put("KUBECONFIG", out.resolveSibling("no-kubeconfig-" + out.getFileName()).toString());
    return builder.start();
  }

  Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("kubectl", "--server", server));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("kubectl", ".out");
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      builder.environment().put("KUBECONFIG", out.resolveSibling("no-kubeconfig-" + out.getFileName()).toString());
      Process p = builder.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out: " + command + ": " + Files.readString(out));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
