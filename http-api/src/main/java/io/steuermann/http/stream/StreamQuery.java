package io.steuermann.http.stream;

import io.steuermann.engine.model.ApiStatus;
import io.steuermann.node.runtime.StreamRequest;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * The query of {@code pods/{name}/exec} and {@code attach} (Kubernetes' PodExecOptions and
 * PodAttachOptions): {@code command} repeated, {@code container}, and the streams.
 */
public record StreamQuery(Optional<String> container, StreamRequest request) {

  /** The query, or the refusal kube-apiserver answers. */
  public record Parsed(StreamQuery query, ApiStatus refusal) {}

  public static Parsed parse(Query query, boolean attach) {
    // in the order given (Query.getAll answers the values last first)
    List<String> command = attach ? List.of() : query.toList().stream()
        .filter(p -> p.first().equals("command")).map(p -> p.second()).toList();
    if (!attach && command.isEmpty()) {
      return refused("you must specify at least 1 command");
    }
    boolean stdin = io.steuermann.http.ResourceRequests.isTrue(query.get("stdin"));
    boolean stdout = io.steuermann.http.ResourceRequests.isTrue(query.get("stdout"));
    boolean stderr = io.steuermann.http.ResourceRequests.isTrue(query.get("stderr"));
    boolean tty = io.steuermann.http.ResourceRequests.isTrue(query.get("tty"));
    if (!stdin && !stdout && !stderr) {
      return refused("you must specify at least 1 of stdin, stdout, stderr");
    }
    if (tty && stderr) {
      // a terminal has one output; kubectl asks for stderr=false with a tty
      stderr = false;
    }
    return new Parsed(new StreamQuery(query.get("container").filter(c -> !c.isEmpty()),
        new StreamRequest(command, stdin, stdout, stderr, tty)), null);
  }

  private static Parsed refused(String message) {
    return new Parsed(null, ApiStatus.badRequest(message));
  }

}
