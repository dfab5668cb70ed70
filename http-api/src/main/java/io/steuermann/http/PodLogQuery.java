package io.steuermann.http;

import io.steuermann.engine.model.ApiStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * The query of {@code GET .../pods/{name}/log} (Kubernetes' PodLogOptions): {@code container},
 * {@code follow}, {@code previous}, {@code timestamps}, {@code tailLines}, {@code limitBytes},
 * {@code sinceSeconds}, {@code sinceTime}. A value that does not parse is a 400; values out
 * of range are a 422 with Kubernetes' messages, naming the field.
 */
record PodLogQuery(Optional<String> container, boolean follow, boolean previous, boolean timestamps,
    OptionalInt tailLines, OptionalLong limitBytes, OptionalLong sinceSeconds, Optional<Instant> sinceTime) {

  /** A query, or why it is refused. */
  record Parsed(PodLogQuery query, ApiStatus refusal) {}

  static Parsed parse(Query query, String pod) {
    try {
      OptionalLong tail = number(query, "tailLines");
      OptionalLong limit = number(query, "limitBytes");
      OptionalLong since = number(query, "sinceSeconds");
      Optional<Instant> sinceTime = query.get("sinceTime").filter(s -> !s.isEmpty()).map(PodLogQuery::time);
      List<ApiStatus.Cause> causes = new ArrayList<>();
      if (tail.isPresent() && tail.getAsLong() < 0) {
        causes.add(invalid("tailLines", tail.getAsLong(), "must be greater than or equal to 0"));
      }
      if (limit.isPresent() && limit.getAsLong() < 1) {
        causes.add(invalid("limitBytes", limit.getAsLong(), "must be greater than 0"));
      }
      if (since.isPresent() && sinceTime.isPresent()) {
        causes.add(new ApiStatus.Cause("FieldValueForbidden",
            "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", ""));
      } else if (since.isPresent() && since.getAsLong() < 1) {
        causes.add(invalid("sinceSeconds", since.getAsLong(), "must be greater than 0"));
      }
      if (!causes.isEmpty()) {
        return new Parsed(null, invalid(pod, causes));
      }
      OptionalInt tailLines = tail.isPresent()
          ? OptionalInt.of((int) Math.min(Integer.MAX_VALUE, tail.getAsLong())) : OptionalInt.empty();
      return new Parsed(new PodLogQuery(query.get("container").filter(c -> !c.isEmpty()), bool(query, "follow"),
          bool(query, "previous"), bool(query, "timestamps"), tailLines, limit, since, sinceTime), null);
    } catch (IllegalArgumentException e) {
      return new Parsed(null, ApiStatus.badRequest(e.getMessage()));
    }
  }

  /** From when on lines are wanted: {@code sinceTime}, or {@code sinceSeconds} before {@code now}. */
  Optional<Instant> since(Instant now) {
    if (sinceSeconds.isPresent()) {
      return Optional.of(now.minusSeconds(sinceSeconds.getAsLong()));
    }
    return sinceTime;
  }

  private static ApiStatus.Cause invalid(String field, long value, String why) {
    return new ApiStatus.Cause("FieldValueInvalid", "Invalid value: " + value + ": " + why, field);
  }

  private static ApiStatus invalid(String pod, List<ApiStatus.Cause> causes) {
    StringBuilder message = new StringBuilder("PodLogOptions \"").append(pod).append("\" is invalid: ");
    for (int i = 0; i < causes.size(); i++) {
      ApiStatus.Cause c = causes.get(i);
      message.append(i > 0 ? ", " : "").append(c.field().isEmpty() ? "" : c.field() + ": ").append(c.message());
    }
    return new ApiStatus(422, "Invalid", message.toString(),
        new ApiStatus.Details(pod, "", "PodLogOptions", List.copyOf(causes)));
  }

  /** Booleans as Kubernetes (Go's strconv.ParseBool) reads them. */
  private static boolean bool(Query query, String name) {
    Optional<String> value = query.get(name);
    if (value.isEmpty() || value.get().isEmpty()) {
      return false;
    }
    return switch (value.get()) {
      case "1", "t", "T", "true", "TRUE", "True" -> true;
      case "0", "f", "F", "false", "FALSE", "False" -> false;
      default -> throw new IllegalArgumentException(
          name + ": invalid boolean value \"" + value.get() + "\"");
    };
  }

  private static OptionalLong number(Query query, String name) {
    Optional<String> value = query.get(name);
    if (value.isEmpty() || value.get().isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(value.get()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": invalid integer value \"" + value.get() + "\"");
    }
  }

  private static Instant time(String value) {
    try {
      return java.time.OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("sinceTime: invalid RFC 3339 time \"" + value + "\"");
    }
  }
}
