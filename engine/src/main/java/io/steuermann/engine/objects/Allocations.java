package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.ObjectKey;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Values an object holds that must be unique across objects (a Service's clusterIP and
 * nodePorts). The entity asks {@link #prepare} after validating a write and before persisting
 * it, stashing other commands meanwhile; after the write is committed it calls
 * {@link #committed}, and answers the client only when that has completed.
 */
public interface Allocations {

  /** The object to write, with its values claimed and filled in, or why it is refused. */
  record Prepared(ObjectNode object, ApiStatus refusal) {}

  /** Whether writes of this key need {@link #prepare} at all. */
  boolean applies(ObjectKey key);

  /**
   * Claims what {@code updated} needs and {@code old} (null on create) does not hold yet.
   * A refusal leaves nothing claimed by this call.
   */
  CompletionStage<Prepared> prepare(ObjectKey key, ObjectNode old, ObjectNode updated);

  /**
   * What {@link #prepare} would answer, for a dry run: the same checks and the same kind of
   * values filled in, chosen among those free now, but nothing is claimed, so nothing needs
   * releasing.
   */
  CompletionStage<Prepared> preview(ObjectKey key, ObjectNode old, ObjectNode updated);

  /**
   * After a committed write: releases what {@code old} held and {@code updated} (null: the
   * object is gone) no longer holds. Never fails; a value it could not release stays claimed
   * by an orphan, which a later allocation reclaims.
   */
  CompletionStage<Void> committed(ObjectKey key, ObjectNode old, ObjectNode updated);

  static Allocations none() {
    return new Allocations() {
      @Override
      public boolean applies(ObjectKey key) {
        return false;
      }

      @Override
      public CompletionStage<Prepared> prepare(ObjectKey key, ObjectNode old, ObjectNode updated) {
        return CompletableFuture.completedFuture(new Prepared(updated, null));
      }

      @Override
      public CompletionStage<Prepared> preview(ObjectKey key, ObjectNode old, ObjectNode updated) {
        return prepare(key, old, updated);
      }

      @Override
      public CompletionStage<Void> committed(ObjectKey key, ObjectNode old, ObjectNode updated) {
        return CompletableFuture.completedFuture(null);
      }
    };
  }
}
