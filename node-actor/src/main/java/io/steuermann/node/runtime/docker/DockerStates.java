package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.InspectContainerResponse.ContainerState;
import io.steuermann.node.runtime.ContainerRuntime;
import io.steuermann.node.runtime.ContainerRuntime.ContainerStatus;
import io.steuermann.node.runtime.ContainerRuntime.Running;
import io.steuermann.node.runtime.ContainerRuntime.Terminated;
import io.steuermann.node.runtime.ContainerRuntime.Waiting;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/** A Docker container's inspected state as Kubernetes reports it. */
final class DockerStates {
  private DockerStates() {}

  static ContainerStatus status(InspectContainerResponse inspect, String name, String image) {
    return new ContainerStatus(name, image, imageId(inspect), "docker://" + inspect.getId(), state(inspect));
  }

  static String imageId(InspectContainerResponse inspect) {
    String id = inspect.getImageId();
    return id == null || id.isEmpty() ? "" : "docker://" + id;
  }

  static ContainerRuntime.ContainerState state(InspectContainerResponse inspect) {
    ContainerState s = inspect.getState();
    if (s == null) {
      return new Waiting("ContainerCreating", null);
    }
    if (Boolean.TRUE.equals(s.getRunning()) || Boolean.TRUE.equals(s.getRestarting())
        || Boolean.TRUE.equals(s.getPaused())) {
      Instant started = time(s.getStartedAt());
      return new Running(started != null ? started : Instant.now());
    }
    if ("created".equals(s.getStatus())) {
      return new Waiting("ContainerCreating", null);
    }
    return terminated(s);
  }

  /** Exit code, reason (Completed, Error, OOMKilled), Docker's error message, start and end. */
  static Terminated terminated(ContainerState s) {
    Long code = s.getExitCodeLong();
    int exitCode = code == null ? 0 : code.intValue();
    String reason = Boolean.TRUE.equals(s.getOOMKilled()) ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error";
    String error = s.getError();
    Instant finished = time(s.getFinishedAt());
    return new Terminated(exitCode, reason, error == null || error.isEmpty() ? null : error, time(s.getStartedAt()),
        finished != null ? finished : Instant.now());
  }

  /** Docker's RFC 3339 time; its zero time ("0001-01-01T00:00:00Z") means none. */
  static Instant time(String text) {
    if (text == null || text.isEmpty() || text.startsWith("0001-")) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
