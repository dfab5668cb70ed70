package io.steuermann.http.stream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.util.ByteString;

/**
 * Kubernetes' channel protocol over WebSocket for exec and attach ({@code v4.channel.k8s.io},
 * {@code v5.channel.k8s.io}, as kubectl 1.32 offers them): every binary message starts with its
 * channel — 0 stdin, 1 stdout, 2 stderr, 3 the error channel (one Status at the end), 4 terminal
 * resizes ({@code {"Width":..,"Height":..}}) — and v5 adds 255, a client's close of one of its
 * channels (stdin: EOF for the process).
 */
public final class ChannelProtocol {
  public static final String V5 = "v5.channel.k8s.io";
  public static final String V4 = "v4.channel.k8s.io";
  /** Ours first: the newest wins when the client offers several. */
  private static final List<String> SUPPORTED = List.of(V5, V4);

  public static final int STDIN = 0;
  public static final int STDOUT = 1;
  public static final int STDERR = 2;
  public static final int ERROR = 3;
  public static final int RESIZE = 4;
  public static final int CLOSE = 255;

  private ChannelProtocol() {}

  /** The subprotocol to speak with a client that offers {@code offered}, if we speak one of them. */
  public static Optional<String> choose(Iterable<String> offered) {
    for (String ours : SUPPORTED) {
      for (String theirs : offered) {
        if (ours.equalsIgnoreCase(theirs.trim())) {
          return Optional.of(ours);
        }
      }
    }
    return Optional.empty();
  }

  /** A message on {@code channel}. */
  public static ByteString frame(int channel, ByteString data) {
    return ByteString.fromArray(new byte[] {(byte) channel}).concat(data);
  }

  /** What a process's end says on the error channel, as kubelet words it. */
  public static ObjectNode exitStatus(List<String> command, OptionalInt exitCode) {
    ObjectNode status = Json.object();
    status.putObject("metadata");
    if (exitCode.isEmpty() || exitCode.getAsInt() == 0) {
      status.put("status", "Success");
      return status;
    }
    int code = exitCode.getAsInt();
    status.put("status", "Failure");
    status.put("message", "command terminated with non-zero exit code: error executing command "
        + "[" + String.join(" ", command) + "], exit code " + code);
    status.put("reason", "NonZeroExitCode");
    ArrayNode causes = status.putObject("details").putArray("causes");
    ObjectNode cause = causes.addObject();
    cause.put("reason", "ExitCode");
    cause.put("message", Integer.toString(code));
    return status;
  }

  /** A failure of the stream itself (the runtime's error), on the error channel. */
  public static ObjectNode failureStatus(String message) {
    ObjectNode status = Json.object();
    status.putObject("metadata");
    status.put("status", "Failure");
    status.put("message", message);
    status.put("reason", "InternalError");
    status.put("code", 500);
    return status;
  }

  /** A resize message's size, if it is one. */
  public static Optional<int[]> size(ByteString payload) {
    try {
      var json = Json.parse(payload.toArray());
      int width = json.path("Width").asInt(0);
      int height = json.path("Height").asInt(0);
      return width > 0 && height > 0 ? Optional.of(new int[] {width, height}) : Optional.empty();
    } catch (java.io.IOException e) {
      return Optional.empty();
    }
  }
}
