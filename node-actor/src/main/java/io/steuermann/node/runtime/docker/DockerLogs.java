package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import io.steuermann.node.runtime.ContainerRuntime.LogOptions;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.FramingTruncation;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;

/**
 * A container's log as a Pekko stream: Docker's log frames (stdout and stderr interleaved)
 * cut into lines. The frames arrive on docker-java's own thread, which waits while the
 * consumer is slow (back-pressure reaches the engine's socket); a consumer that cancels
 * closes the Docker request.
 */
final class DockerLogs {
  private static final int MAX_LINE = 1024 * 1024;
  private static final ByteString NEWLINE = ByteString.fromString("\n");

  private DockerLogs() {}

  static Source<ByteString, NotUsed> source(DockerClient docker, String containerId, LogOptions options) {
    Source<ByteString, NotUsed> frames = Source.<ByteString>queue(64, OverflowStrategy.backpressure())
        .mapMaterializedValue(queue -> {
          follow(docker, containerId, options, queue);
          return NotUsed.getInstance();
        });
    return frames
        .via(Framing.delimiter(NEWLINE, MAX_LINE, FramingTruncation.ALLOW))
        .map(line -> line.concat(NEWLINE));
  }

  private static void follow(DockerClient docker, String containerId, LogOptions options,
      SourceQueueWithComplete<ByteString> queue) {
    var cmd = docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
        .withFollowStream(options.follow()).withTimestamps(options.timestamps());
    if (options.tailLines().isPresent()) {
      cmd.withTail(options.tailLines().getAsInt());
    } else {
      cmd.withTailAll();
    }
    options.sinceTime().ifPresent(since -> cmd.withSince((int) since.getEpochSecond()));
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        byte[] payload = frame.getPayload();
        if (payload == null || payload.length == 0) {
          return;
        }
        try {
          QueueOfferResult result = queue.offer(ByteString.fromArray(payload)).toCompletableFuture()
              .get(10, TimeUnit.MINUTES);
          if (!(result instanceof QueueOfferResult.Enqueued$)) {
            closeQuietly(this);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          closeQuietly(this);
        } catch (ExecutionException | TimeoutException e) {
          closeQuietly(this);
        }
      }

      @Override
      public void onError(Throwable error) {
        queue.fail(error);
      }

      @Override
      public void onComplete() {
        queue.complete();
      }
    };
    queue.watchCompletion().whenComplete((done, error) -> closeQuietly(callback));
    cmd.exec(callback);
  }

  private static void closeQuietly(ResultCallback.Adapter<Frame> callback) {
    try {
      callback.close();
    } catch (java.io.IOException e) {
      // closing
    }
  }
}
