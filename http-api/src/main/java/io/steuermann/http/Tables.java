package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchEvent;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/** Content negotiation for {@code meta.k8s.io Table} responses, which kubectl asks for. */
public final class Tables {
  public boolean wanted(HttpRequest request) {
    return false;
  }

  public ObjectNode ofObject(HttpRequest request, ObjectNode object) {
    throw new UnsupportedOperationException();
  }

  public ObjectNode ofList(HttpRequest request, Kind kind, WatchCache.Snapshot snapshot) {
    throw new UnsupportedOperationException();
  }

  public ObjectNode watchEvent(HttpRequest request, Kind kind, WatchEvent event) {
    throw new UnsupportedOperationException();
  }
}
