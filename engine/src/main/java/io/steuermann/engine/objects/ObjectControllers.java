package io.steuermann.engine.objects;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ObjectKey;
import java.util.Optional;
import org.apache.pekko.actor.typed.Behavior;

/**
 * The controllers that act for objects of some kinds (ReplicaSets keep their pods, Deployments
 * roll their ReplicaSets). The entity of such an object runs its controller as a child actor
 * and tells it every committed change, so control work lives where the object lives and moves
 * with its shard.
 */
@FunctionalInterface
public interface ObjectControllers {

  /**
   * What the entity tells its controller: the object as committed, or null once deleted;
   * {@code recovered} when the object existed before this entity started (it was restarted or
   * moved here, so a predecessor elsewhere may still have writes in flight).
   */
  record ObjectChanged(ObjectNode object, boolean recovered) {
    public ObjectChanged(ObjectNode object) {
      this(object, false);
    }
  }

  /** The controller for this object, if its kind has one. */
  Optional<Behavior<ObjectChanged>> controllerFor(ObjectKey key);

  static ObjectControllers none() {
    return key -> Optional.empty();
  }
}
