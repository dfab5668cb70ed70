package io.steuermann.engine.controllers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Meta;
import java.util.Optional;

/** Reads and writes {@code metadata.ownerReferences}. */
public final class Owners {
  private Owners() {}

  /** The uid of the object's controller (the owner reference with {@code controller: true}). */
  public static Optional<String> controllerUid(JsonNode object) {
    for (JsonNode ref : object.path("metadata").path("ownerReferences")) {
      if (ref.path("controller").asBoolean(false)) {
        return Optional.of(ref.path("uid").asText());
      }
    }
    return Optional.empty();
  }

  public static boolean isControlledBy(JsonNode object, JsonNode owner) {
    return controllerUid(object).map(uid -> uid.equals(Meta.uid(owner))).orElse(false);
  }

  /** A controller owner reference to {@code owner}, as Kubernetes controllers write it. */
  public static ObjectNode controllerRef(JsonNode owner) {
    ObjectNode ref = Json.object();
    ref.put("apiVersion", owner.path("apiVersion").asText());
    ref.put("kind", owner.path("kind").asText());
    ref.put("name", Meta.name(owner));
    ref.put("uid", Meta.uid(owner));
    ref.put("controller", true);
    ref.put("blockOwnerDeletion", true);
    return ref;
  }

  /** Sets {@code ownerReferences} of {@code metadata} to the single controller reference. */
  public static void setController(ObjectNode metadata, JsonNode owner) {
    ArrayNode refs = metadata.putArray("ownerReferences");
    refs.add(controllerRef(owner));
  }

  public static boolean isTerminating(JsonNode object) {
    return object.path("metadata").has("deletionTimestamp");
  }
}
