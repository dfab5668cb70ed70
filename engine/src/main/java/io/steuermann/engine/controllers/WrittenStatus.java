package io.steuermann.engine.controllers;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.util.Objects;

/**
 * The status a controller last wrote, so that it does not write the same one again while its
 * cache still shows the older object. Keyed by the object's uid: a workload deleted and made
 * again under the same name reaches the same controller entity, and the new object must get
 * its status even when the counts equal those written for the old one.
 */
public final class WrittenStatus {
  private String uid;
  private JsonNode status;

  /** True when {@code wanted} is what this controller last wrote for this very object. */
  public boolean isWritten(JsonNode object, JsonNode wanted) {
    return status != null && Objects.equals(uid, Meta.uid(object)) && status.equals(wanted);
  }

  public void wrote(JsonNode object, JsonNode written) {
    uid = Meta.uid(object);
    status = written;
  }

  public void forget() {
    uid = null;
    status = null;
  }
}
