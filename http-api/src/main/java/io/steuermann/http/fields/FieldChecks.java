package io.steuermann.http.fields;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Applies {@code fieldValidation} to a write's body: prunes unknown fields (always, as a
 * typed decoder would) and turns them and duplicate fields into a refusal (Strict), warnings
 * (Warn) or nothing (Ignore).
 */
public final class FieldChecks {
  /** A refusal, or the warnings to send with the answer (the body is pruned in place). */
  public record Outcome(ApiStatus refusal, List<String> warnings) {
    public static final Outcome CLEAN = new Outcome(null, List.of());
  }

  private final KindSchemas schemas;

  public FieldChecks(KindSchemas schemas) {
    this.schemas = schemas;
  }

  /** Builds the schemas now rather than on the first write. */
  public void warmUp() {
    schemas.of(Kind.POD);
  }

  /**
   * @param raw the body's bytes as sent, where duplicates are still visible; null when it
   *     came as protobuf (which cannot repeat a field)
   * @param patch a merge or strategic merge patch rather than an object
   */
  public Outcome check(Kind kind, FieldValidation mode, JsonNode body, byte[] raw, boolean patch) {
    Set<String> duplicates = mode == FieldValidation.IGNORE || raw == null
        ? Set.of() : new HashSet<>(DuplicateFields.find(raw));
    FieldSchema schema = schemas.of(kind);
    List<String> problems = patch
        ? UnknownFields.prunePatch(schema, body, duplicates)
        : UnknownFields.prune(schema, body, duplicates);
    if (problems.isEmpty() || mode == FieldValidation.IGNORE) {
      return Outcome.CLEAN;
    }
    if (mode == FieldValidation.STRICT) {
      return new Outcome(ApiStatus.badRequest("strict decoding error: " + String.join(", ", problems)), List.of());
    }
    return new Outcome(null, List.copyOf(problems));
  }
}
