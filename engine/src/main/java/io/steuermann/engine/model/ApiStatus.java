package io.steuermann.engine.model;

import java.util.List;

/**
 * A refusal in the shape of Kubernetes' {@code Status} object: an HTTP code, a machine
 * reason ({@code NotFound}, {@code AlreadyExists}, {@code Conflict}, {@code Invalid}, ...),
 * a message for people and, for invalid objects, one cause per bad field.
 */
public record ApiStatus(int code, String reason, String message, Details details) {

  /** {@code details} of a Status: which object, and the causes. */
  public record Details(String name, String group, String kind, List<Cause> causes) {}

  /** One cause: {@code reason} like {@code FieldValueInvalid}, and the {@code field} path. */
  public record Cause(String reason, String message, String field) {}

  public static ApiStatus notFound(Kind kind, String name) {
    return new ApiStatus(404, "NotFound",
        kind.plural() + (kind.group().isEmpty() ? "" : "." + kind.group()) + " \"" + name + "\" not found",
        new Details(name, kind.group(), kind.plural(), List.of()));
  }

  public static ApiStatus namespaceNotFound(String namespace) {
    return new ApiStatus(404, "NotFound", "namespaces \"" + namespace + "\" not found",
        new Details(namespace, "", "namespaces", List.of()));
  }

  public static ApiStatus alreadyExists(Kind kind, String name) {
    return new ApiStatus(409, "AlreadyExists",
        qualified(kind) + " \"" + name + "\" already exists",
        new Details(name, kind.group(), kind.plural(), List.of()));
  }

  public static ApiStatus conflict(Kind kind, String name, String why) {
    return new ApiStatus(409, "Conflict",
        "Operation cannot be fulfilled on " + qualified(kind) + " \"" + name + "\": " + why,
        new Details(name, kind.group(), kind.plural(), List.of()));
  }

  public static ApiStatus staleResourceVersion(Kind kind, String name) {
    return conflict(kind, name,
        "the object has been modified; please apply your changes to the latest version and try again");
  }

  public static ApiStatus invalid(Kind kind, String name, List<Cause> causes) {
    // the kind qualified by its group, as kube's errors.NewInvalid words it: Deployment.apps "web"
    StringBuilder message = new StringBuilder()
        .append(kind.kindName()).append(kind.group().isEmpty() ? "" : "." + kind.group())
        .append(" \"").append(name).append("\" is invalid: ");
    if (causes.size() == 1) {
      Cause c = causes.get(0);
      message.append(c.field()).append(": ").append(c.message());
    } else {
      message.append('[');
      for (int i = 0; i < causes.size(); i++) {
        Cause c = causes.get(i);
        if (i > 0) message.append(", ");
        message.append(c.field()).append(": ").append(c.message());
      }
      message.append(']');
    }
    return new ApiStatus(422, "Invalid", message.toString(),
        new Details(name, kind.group(), kind.kindName(), List.copyOf(causes)));
  }

  public static ApiStatus badRequest(String message) {
    return new ApiStatus(400, "BadRequest", message, null);
  }

  public static ApiStatus forbidden(String message) {
    return new ApiStatus(403, "Forbidden", message, null);
  }

  /** kube's NewForbidden: {@code deployments.apps "web" is forbidden: why}, naming the object. */
  public static ApiStatus forbidden(Kind kind, String name, String why) {
    return new ApiStatus(403, "Forbidden", qualified(kind) + " \"" + name + "\" is forbidden: " + why,
        new Details(name, kind.group(), kind.plural(), List.of()));
  }

  public static ApiStatus methodNotAllowed(String message) {
    return new ApiStatus(405, "MethodNotAllowed", message, null);
  }

  public static ApiStatus gone(String message) {
    return new ApiStatus(410, "Expired", message, null);
  }

  public static ApiStatus tooLarge(String message) {
    return new ApiStatus(413, "RequestEntityTooLarge", message, null);
  }

  public static ApiStatus unsupportedMediaType(String message) {
    return new ApiStatus(415, "UnsupportedMediaType", message, null);
  }

  public static ApiStatus tooManyRequests(String message) {
    return new ApiStatus(429, "TooManyRequests", message, null);
  }

  public static ApiStatus internal(String message) {
    return new ApiStatus(500, "InternalError", message, null);
  }

  public static ApiStatus unavailable(String message) {
    return new ApiStatus(503, "ServiceUnavailable", message, null);
  }

  /** 507: the store has no room for the write (Kubernetes names no reason for it). */
  public static ApiStatus insufficientStorage(String message) {
    return new ApiStatus(507, "InsufficientStorage", message, null);
  }

  public static ApiStatus timeout(String message) {
    return new ApiStatus(504, "Timeout", message, null);
  }

  private static String qualified(Kind kind) {
    return kind.group().isEmpty() ? kind.plural() : kind.plural() + "." + kind.group();
  }
}
