package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import io.steuermann.node.runtime.ProcessStream;
import io.steuermann.node.runtime.StreamRequest;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * {@code docker exec} (a command) or {@code docker attach} (the container's process) with its
 * streams connected over a hijacked engine connection ({@link DockerHijack}). A thread of its own
 * reads the output (Docker's multiplexed frames, or raw bytes with a terminal) into a small
 * queue and blocks when the reader is behind, so a slow client slows the process down instead
 * of losing bytes ({@code kubectl cp} is a tar stream).
 */
final class DockerProcessStream implements ProcessStream {
  /** An output chunk, the end, or a failure, in the order they happened. */
  private record Next(Output output, Throwable failure) {
    static final Next END = new Next(null, null);
  }

  private final DockerClient docker;
  private final String containerId;
  private final String execId;
  private final boolean tty;
  private final DockerHijack connection;
  private final BlockingQueue<Next> output = new ArrayBlockingQueue<>(16);
  private final CompletableFuture<OptionalInt> exit = new CompletableFuture<>();

  private DockerProcessStream(DockerClient docker, String containerId, String execId, boolean tty,
      DockerHijack connection) {
    this.docker = docker;
    this.containerId = containerId;
    this.execId = execId;
    this.tty = tty;
    this.connection = connection;
    Thread reader = new Thread(this::read, "docker-stream-" + (execId != null ? execId : containerId).substring(0, 12));
    reader.setDaemon(true);
    reader.start();
  }

  /** Starts {@code request.command()} in the container. */
  static DockerProcessStream exec(DockerClient docker, URI host, String containerId, StreamRequest request)
      throws IOException {
    String execId = docker.execCreateCmd(containerId)
        .withCmd(request.command().toArray(String[]::new))
        .withAttachStdin(request.stdin())
        .withAttachStdout(request.stdout())
        .withAttachStderr(request.stderr())
        .withTty(request.tty())
        .exec().getId();
    DockerHijack connection = DockerHijack.open(host, "/exec/" + execId + "/start",
        "{\"Detach\":false,\"Tty\":" + request.tty() + "}");
    return new DockerProcessStream(docker, containerId, execId, request.tty(), connection);
  }

  /** Attaches to the container's own process (its stdin only when the container keeps one open). */
  static DockerProcessStream attach(DockerClient docker, URI host, String containerId, StreamRequest request,
      boolean containerTty) throws IOException {
    DockerHijack connection = DockerHijack.open(host, "/containers/" + containerId + "/attach?stream=1"
        + "&stdin=" + (request.stdin() ? 1 : 0) + "&stdout=" + (request.stdout() ? 1 : 0)
        + "&stderr=" + (request.stderr() ? 1 : 0), "");
    return new DockerProcessStream(docker, containerId, null, containerTty, connection);
  }

  /** The reader thread: frames into the queue until the process (or attach) ends. */
  private void read() {
    java.io.InputStream in = connection.input();
    try {
      if (tty) {
        byte[] buffer = new byte[32 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
          if (n > 0) {
            put(new Next(new Output(1, ByteString.fromArray(buffer, 0, n)), null));
          }
        }
      } else {
        byte[] header = new byte[8];
        while (in.readNBytes(header, 0, 8) == 8) {
          int size = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8)
              | (header[7] & 0xff);
          byte[] payload = in.readNBytes(size);
          if (payload.length > 0) {
            put(new Next(new Output(header[0] == 2 ? 2 : 1, ByteString.fromArrayUnsafe(payload)), null));
          }
        }
      }
      finish(null);
    } catch (IOException e) {
      finish(exit.isDone() ? null : e);
    } finally {
      try {
        connection.close();
      } catch (IOException e) {
        // closed either way
      }
    }
  }

  private void put(Next next) {
    try {
      output.put(next);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void finish(Throwable error) {
    if (exit.isDone()) {
      return;
    }
    OptionalInt code = OptionalInt.empty();
    if (execId != null && error == null) {
      try {
        Long exitCode = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        code = exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode.intValue());
      } catch (RuntimeException e) {
        error = e;
      }
    }
    if (error != null) {
      exit.completeExceptionally(error);
      put(new Next(null, error));
    } else {
      exit.complete(code);
      put(Next.END);
    }
  }

  @Override
  public Source<Output, NotUsed> output() {
    // blocking takes on the stream's blocking-io dispatcher (unfoldResource's default)
    return Source.unfoldResource(() -> output, queue -> {
      Next next = queue.take();
      if (next.failure() != null) {
        throw new IOException(String.valueOf(next.failure().getMessage()), next.failure());
      }
      return Optional.ofNullable(next.output());
    }, queue -> { });
  }

  @Override
  public void writeStdin(ByteString bytes) {
    try {
      connection.write(bytes.toArray());
    } catch (IOException e) {
      // the process has gone: its end comes on the output side
    }
  }

  @Override
  public void closeStdin() {
    try {
      connection.closeInput();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void resize(int width, int height) {
    if (execId != null) {
      docker.resizeExecCmd(execId).withSize(height, width).exec();
    } else {
      docker.resizeContainerCmd(containerId).withSize(height, width).exec();
    }
  }

  @Override
  public CompletionStage<OptionalInt> exit() {
    return exit;
  }

  @Override
  public void close() {
    try {
      connection.close();
    } catch (IOException e) {
      // closed either way
    }
  }
}
