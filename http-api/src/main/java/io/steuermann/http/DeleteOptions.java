package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Meta;
import io.steuermann.http.fields.FieldChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.Query;

/**
 * What a delete asks for, from the query and the {@code DeleteOptions} body together, as
 * client-go sends them (it puts everything in the body; kubectl's raw calls use the query).
 * The same for a delete of one object and of a collection.
 */
record DeleteOptions(boolean dryRun, String uid, long resourceVersion, Long gracePeriodSeconds,
    String propagationPolicy) {

  /** The parsed options, or the Status that refuses them. */
  record Parsed(DeleteOptions options, ApiStatus refusal) {}

  static CompletionStage<Parsed> read(RequestBodies bodies, FieldChecks fields, HttpRequest request,
      WriteOptions query) {
    return bodies.options(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return CompletableFuture.completedFuture(new Parsed(null, body.refusal()));
      }
      ApiStatus mistyped = fields.checkDeleteOptions(body.json());
      if (mistyped != null) {
        return CompletableFuture.completedFuture(new Parsed(null, mistyped));
      }
      return CompletableFuture.completedFuture(of(body.json(), request.getUri().query(), query));
    });
  }

  static Parsed of(JsonNode options, Query params, WriteOptions query) {
    List<String> dryRun = new ArrayList<>();
    options.path("dryRun").forEach(v -> dryRun.add(v.asText()));
    WriteOptions.Parsed inBody = WriteOptions.parse("DeleteOptions", dryRun, "");
    if (inBody.refusal() != null) {
      return new Parsed(null, inBody.refusal());
    }
    JsonNode preconditions = options.path("preconditions");
    String uid = preconditions.path("uid").asText("");
    long rv = Math.max(Meta.parseResourceVersion(preconditions.path("resourceVersion").asText("")), 0);
    Long grace;
    if (options.hasNonNull("gracePeriodSeconds")) {
      grace = options.path("gracePeriodSeconds").asLong();
    } else {
      String value = params.get("gracePeriodSeconds").orElse(null);
      try {
        grace = value == null ? null : Long.valueOf(value);
      } catch (NumberFormatException e) {
        return new Parsed(null, ApiStatus.badRequest("gracePeriodSeconds: invalid value \"" + value
            + "\": not an integer"));
      }
    }
    String policy = options.hasNonNull("propagationPolicy")
        ? options.path("propagationPolicy").asText()
        : params.get("propagationPolicy").orElse(null);
    if (options.path("orphanDependents").asBoolean(false)) {
      policy = "Orphan";
    }
    if (policy != null && !List.of("Orphan", "Background", "Foreground").contains(policy)) {
      return new Parsed(null, ApiStatus.badRequest("propagationPolicy: Unsupported value: \"" + policy
          + "\": supported values: \"Background\", \"Foreground\", \"Orphan\""));
    }
    return new Parsed(new DeleteOptions(query.dryRun() || inBody.options().dryRun(), uid, rv, grace, policy), null);
  }
}
