package io.steuermann.node.runtime;

import java.util.List;

/**
 * A process stream into a container, as {@code kubectl exec} and {@code attach} ask for one:
 * {@code command} to run (empty: attach to the container's own process) and which of its
 * standard streams to connect, and whether it gets a terminal (then stderr is folded into
 * stdout, as a terminal does).
 */
public record StreamRequest(List<String> command, boolean stdin, boolean stdout, boolean stderr, boolean tty) {
  public StreamRequest {
    command = List.copyOf(command);
  }

  public boolean attach() {
    return command.isEmpty();
  }
}
