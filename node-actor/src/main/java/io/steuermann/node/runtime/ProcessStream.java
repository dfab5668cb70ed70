package io.steuermann.node.runtime;

import java.util.OptionalInt;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A process in a container with its standard streams connected: an exec'd command, or the
 * container's own process attached to. Its output is read once, at the reader's pace (the
 * process is held back while the reader is behind); its input is written in order.
 */
public interface ProcessStream {

  /** One chunk of output: {@code stream} 1 is stdout, 2 stderr. */
  record Output(int stream, ByteString bytes) {}

  /** Everything the process writes until it ends (or the attach does). */
  Source<Output, NotUsed> output();

  /** Queues bytes for its stdin, in order; waits while too much is queued. */
  void writeStdin(ByteString bytes) throws InterruptedException;

  /** End of input: the process reads EOF once the queued bytes are read. */
  void closeStdin();

  /** A new terminal size, for a process with a terminal. */
  void resize(int width, int height);

  /**
   * Completes once the process has ended: with its exit code for an exec, empty for an attach
   * (the container's process may go on, or the runtime does not say).
   */
  CompletionStage<OptionalInt> exit();

  /** The client is gone: let go of the streams (an exec'd process is not killed, as with kubelet). */
  void close();
}
