package io.steuermann.node.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which hollow containers end on their own, so that Jobs can run on hollow nodes: a container
 * whose {@code command} (followed by its {@code args}) is one of
 *
 * <ul>
 *   <li>{@code true}: exits with code 0,
 *   <li>{@code false}: exits with code 1,
 *   <li>{@code sh -c "exit N"} (or {@code /bin/sh}): exits with code N,
 *   <li>{@code sleep N}: exits with code 0 after N seconds,
 * </ul>
 *
 * exits as a real busybox container with that command would; any other container runs until
 * it is stopped, as before. The first three exit {@link #RUN_TIME} after they start, long
 * enough for the agent to have reported them running.
 */
public record HollowExit(int exitCode, Duration after) {
  static final Duration RUN_TIME = Duration.ofMillis(50);

  /** The exit of a container with this spec, if it has one of the commands above. */
  public static Optional<HollowExit> of(JsonNode containerSpec) {
    List<String> argv = new ArrayList<>();
    containerSpec.path("command").forEach(n -> argv.add(n.asText()));
    containerSpec.path("args").forEach(n -> argv.add(n.asText()));
    if (argv.size() == 1 && argv.get(0).equals("true")) {
      return Optional.of(new HollowExit(0, RUN_TIME));
    }
    if (argv.size() == 1 && argv.get(0).equals("false")) {
      return Optional.of(new HollowExit(1, RUN_TIME));
    }
    if (argv.size() == 3 && (argv.get(0).equals("sh") || argv.get(0).equals("/bin/sh")) && argv.get(1).equals("-c")) {
      String script = argv.get(2).trim();
      if (script.matches("exit [0-9]{1,3}")) {
        return Optional.of(new HollowExit(Integer.parseInt(script.substring(5)) & 0xff, RUN_TIME));
      }
    }
    if (argv.size() == 2 && argv.get(0).equals("sleep") && argv.get(1).matches("[0-9]{1,6}")) {
      return Optional.of(new HollowExit(0, Duration.ofSeconds(Long.parseLong(argv.get(1)))));
    }
    return Optional.empty();
  }
}
