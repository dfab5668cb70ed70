package io.steuermann.http.fields;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.schema.FieldSchema;
import io.steuermann.engine.schema.KindSchemas;
import io.steuermann.engine.schema.StructuralCheck;
import io.steuermann.engine.validation.FieldError;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a write's body before it goes to the store: its structure against the kind's schema
 * (a value of the wrong JSON type refuses an object with 400, as kube-apiserver's decoder does,
 * and a patch with 422, as its patcher does), then {@code fieldValidation}: prunes unknown
 * fields (always, as a typed decoder would) and turns them and duplicate fields into a refusal
 * (Strict), warnings (Warn) or nothing (Ignore). The store checks the structure again on the
 * object it would write, so a patch is also checked after it is applied.
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
    return check(kind, mode, body, raw, patch, !patch);
  }

  /**
   * A server-side apply's configuration: pruned as a patch (a partial object), but a wrong
   * type refused with 400 as kube-apiserver refuses an apply it cannot type.
   */
  public Outcome checkApply(Kind kind, FieldValidation mode, JsonNode body) {
    return check(kind, mode, body, null, true, true);
  }

  private Outcome check(Kind kind, FieldValidation mode, JsonNode body, byte[] raw, boolean patch,
      boolean undecodableIsBadRequest) {
    FieldSchema schema = schemas.of(kind);
    if (StructuralCheck.enabled()) {
      StructuralCheck.Result structure = StructuralCheck.check(schema, body);
      if (!structure.typeErrors().isEmpty()) {
        return new Outcome(undecodableIsBadRequest ? undecodable(kind, body, structure)
            : patchInvalid(kind, structure.typeErrors()), List.of());
      }
    }
    Set<String> duplicates = mode == FieldValidation.IGNORE || raw == null
        ? Set.of() : new HashSet<>(DuplicateFields.find(raw));
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

  /**
   * The values a JSON patch writes ({@code add}, {@code replace}), each against the schema at
   * its path; 422 as kube-apiserver answers a patch that leaves an undecodable object.
   */
  public Outcome checkJsonPatch(Kind kind, JsonNode operations) {
    if (!StructuralCheck.enabled() || !operations.isArray()) {
      return Outcome.CLEAN;
    }
    FieldSchema root = schemas.of(kind);
    List<FieldError> errors = new ArrayList<>();
    for (JsonNode op : operations) {
      String name = op.path("op").asText("");
      JsonNode path = op.get("path");
      if ((name.equals("add") || name.equals("replace")) && path != null && path.isTextual() && op.has("value")) {
        FieldSchema at = StructuralCheck.at(root, path.textValue());
        if (at != null) {
          errors.addAll(StructuralCheck.checkValue(at, op.get("value"), fieldPath(path.textValue())).typeErrors());
        }
      }
    }
    return errors.isEmpty() ? Outcome.CLEAN : new Outcome(patchInvalid(kind, errors), List.of());
  }

  /** A Scale written to {@code /scale} (PUT, or a patch's result): its structure only. */
  public ApiStatus checkScale(Kind kind, JsonNode scale, boolean patch) {
    if (!StructuralCheck.enabled()) {
      return null;
    }
    StructuralCheck.Result structure = StructuralCheck.check(schemas.scale(), scale);
    if (structure.typeErrors().isEmpty()) {
      return null;
    }
    return patch ? patchInvalid(kind, structure.typeErrors()) : new ApiStatus(400, "BadRequest",
        "Scale in version \"v1\" cannot be handled as a Scale: " + structure.decodeError(),
        new ApiStatus.Details(name(scale), "autoscaling", "Scale", causes(structure.typeErrors())));
  }

  /**
   * The DeleteOptions of a DELETE: a mistyped {@code gracePeriodSeconds} must not read as 0
   * and delete at once. 400, as kube-apiserver's decoder answers.
   */
  public ApiStatus checkDeleteOptions(JsonNode options) {
    return checkBody(schemas.deleteOptions(), options, "DeleteOptions", "meta.k8s.io");
  }

  /** The Binding of {@code pods/binding}: a numeric {@code target.name} must not bind to a node "5". */
  public ApiStatus checkBinding(JsonNode binding) {
    return checkBody(schemas.binding(), binding, "Binding", "");
  }

  private static ApiStatus checkBody(FieldSchema schema, JsonNode body, String kindName, String group) {
    if (!StructuralCheck.enabled()) {
      return null;
    }
    StructuralCheck.Result structure = StructuralCheck.check(schema, body);
    if (structure.typeErrors().isEmpty()) {
      return null;
    }
    return new ApiStatus(400, "BadRequest", kindName + " in version \"v1\" cannot be handled as a " + kindName + ": "
        + structure.decodeError(), new ApiStatus.Details(name(body), group, kindName, causes(structure.typeErrors())));
  }

  /** kube-apiserver's answer to a create or update body its decoder cannot read: 400, named by field. */
  private static ApiStatus undecodable(Kind kind, JsonNode body, StructuralCheck.Result structure) {
    return new ApiStatus(400, "BadRequest", kind.kindName() + " in version \"" + kind.version()
        + "\" cannot be handled as a " + kind.kindName() + ": " + structure.decodeError(),
        new ApiStatus.Details(name(body), kind.group(), kind.kindName(), causes(structure.typeErrors())));
  }

  private static ApiStatus patchInvalid(Kind kind, List<FieldError> errors) {
    return ApiStatus.invalid(kind, "", causes(errors));
  }

  private static List<ApiStatus.Cause> causes(List<FieldError> errors) {
    return errors.stream().map(e -> new ApiStatus.Cause(e.type(), e.message(), e.field())).toList();
  }

  private static String name(JsonNode body) {
    JsonNode name = body.path("metadata").path("name");
    return name.isTextual() ? name.textValue() : "";
  }

  /** {@code /spec/containers/0/image} as a field path: {@code spec.containers[0].image}. */
  static String fieldPath(String pointer) {
    StringBuilder path = new StringBuilder();
    for (String raw : pointer.isEmpty() ? new String[0] : pointer.substring(1).split("/", -1)) {
      String token = raw.replace("~1", "/").replace("~0", "~");
      if (!token.isEmpty() && (token.equals("-") || token.chars().allMatch(Character::isDigit))) {
        path.append('[').append(token).append(']');
      } else {
        path.append(path.length() == 0 ? "" : ".").append(token);
      }
    }
    return path.toString();
  }
}
