package io.steuermann.node.runtime.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import java.io.Closeable;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the engine's {@code die} events of this node's containers (filtered by the node
 * label) and hands each container id to {@code onDie}. A broken stream (the engine
 * restarted) is opened again from the time of the last event seen, so no exit is missed.
 */
final class DockerEvents implements Closeable {
  private static final Logger log = LoggerFactory.getLogger(DockerEvents.class);

  private final DockerClient docker;
  private final String node;
  private final Consumer<String> onDie;
  private final ScheduledExecutorService timer;
  private volatile boolean closed;
  private volatile long lastEventSeconds;
  private volatile ResultCallback.Adapter<Event> current;

  DockerEvents(DockerClient docker, String node, Consumer<String> onDie, ScheduledExecutorService timer) {
    this.docker = docker;
    this.node = node;
    this.onDie = onDie;
    this.timer = timer;
    this.lastEventSeconds = System.currentTimeMillis() / 1000;
  }

  void start() {
    if (closed) {
      return;
    }
    ResultCallback.Adapter<Event> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Event event) {
        if (event.getTime() != null) {
          lastEventSeconds = Math.max(lastEventSeconds, event.getTime());
        }
        if ("die".equals(event.getAction() != null ? event.getAction() : event.getStatus())) {
          onDie.accept(event.getId());
        }
      }

      @Override
      public void onError(Throwable error) {
        if (!closed) {
          log.warn("Docker events of node {} broke off ({}); following them again", node, error.toString());
        }
        reconnect();
      }

      @Override
      public void onComplete() {
        reconnect();
      }
    };
    current = callback;
    docker.eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withEventFilter("die")
        .withLabelFilter(Map.of(DockerLabels.NODE, node))
        .withSince(Long.toString(lastEventSeconds))
        .exec(callback);
  }

  private void reconnect() {
    if (!closed) {
      timer.schedule(this::start, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    closed = true;
    ResultCallback.Adapter<Event> callback = current;
    if (callback != null) {
      try {
        callback.close();
      } catch (java.io.IOException e) {
        // closing
      }
    }
  }
}
