package io.steuermann.node.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which hollow containers exit, with which code and when. */
class HollowExitTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static Optional<HollowExit> of(String containerJson) throws Exception {
    return HollowExit.of(MAPPER.readTree(containerJson));
  }

  @Test
  void theCommandsOfABusyboxThatExits() throws Exception {
    assertEquals(Optional.of(new HollowExit(0, HollowExit.RUN_TIME)), of("{\"command\":[\"true\"]}"));
    assertEquals(Optional.of(new HollowExit(1, HollowExit.RUN_TIME)), of("{\"command\":[\"false\"]}"));
    assertEquals(Optional.of(new HollowExit(3, HollowExit.RUN_TIME)), of("{\"command\":[\"sh\",\"-c\",\"exit 3\"]}"));
    // command and args together, as kubelet joins them
    assertEquals(Optional.of(new HollowExit(2, HollowExit.RUN_TIME)),
        of("{\"command\":[\"/bin/sh\"],\"args\":[\"-c\",\"exit 2\"]}"));
    assertEquals(Optional.of(new HollowExit(0, Duration.ofSeconds(5))), of("{\"command\":[\"sleep\",\"5\"]}"));
    // exit codes wrap at 256 as a shell's do
    assertEquals(Optional.of(new HollowExit(1, HollowExit.RUN_TIME)), of("{\"command\":[\"sh\",\"-c\",\"exit 257\"]}"));
  }

  @Test
  void everythingElseRunsUntilStopped() throws Exception {
    assertEquals(Optional.empty(), of("{}"));
    assertEquals(Optional.empty(), of("{\"command\":[\"sleep\",\"infinity\"]}"));
    assertEquals(Optional.empty(), of("{\"command\":[\"sh\",\"-c\",\"echo hi; exit 0\"]}"));
    assertEquals(Optional.empty(), of("{\"command\":[\"true\",\"x\"]}"));
    assertEquals(Optional.empty(), of("{\"args\":[\"httpd\",\"-f\"]}"));
  }
}
