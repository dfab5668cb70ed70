package io.steuermann.http;

import static io.steuermann.http.ResourceRequests.done;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.Engine;
import io.steuermann.engine.api.Evictions;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;

/**
 * {@code POST .../pods/{name}/eviction} with a policy/v1 (or v1beta1) {@code Eviction}: the
 * request, its {@code deleteOptions} (grace period, preconditions, dry run) and the answer as
 * kube-apiserver gives it (201 with a Success Status); the decision is {@link Evictions}'.
 */
final class PodEvictions {
  private static final List<String> API_VERSIONS = List.of("policy/v1", "policy/v1beta1");

  private final Engine engine;
  private final RequestBodies bodies;
  private final Responses responses;

  PodEvictions(Engine engine, RequestBodies bodies, Responses responses) {
    this.engine = engine;
    this.bodies = bodies;
    this.responses = responses;
  }

  CompletionStage<HttpResponse> evict(HttpRequest request, ObjectKey pod, WriteOptions write) {
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      JsonNode eviction = body.json();
      ApiStatus bad = check(eviction, pod.name());
      if (bad != null) {
        return done(StatusResponses.response(bad));
      }
      JsonNode delete = eviction.path("deleteOptions");
      JsonNode grace = delete.path("gracePeriodSeconds");
      boolean dryRun = write.dryRun();
      for (JsonNode d : delete.path("dryRun")) {
        dryRun |= "All".equals(d.asText());
      }
      JsonNode preconditions = delete.path("preconditions");
      String resourceVersion = preconditions.path("resourceVersion").asText("");
      Evictions.Options options = new Evictions.Options(grace.isIntegralNumber() ? grace.asLong() : null,
          preconditions.path("uid").asText(""), resourceVersion.matches("[0-9]+") ? Long.parseLong(resourceVersion) : 0,
          dryRun);
      return Evictions.evict(engine.store(), engine.cache(), engine.controllers().clock(), pod, options)
          .thenApply(reply -> reply instanceof ObjectCommand.Done
              ? responses.json(201, StatusResponses.success())
              : StatusResponses.response(((ObjectCommand.Refused) reply).status()));
    }).exceptionally(ResourceRequests::failure);
  }

  private static ApiStatus check(JsonNode eviction, String name) {
    if (!eviction.isObject()) {
      return ApiStatus.badRequest("the object must be a JSON object, not " + eviction.getNodeType());
    }
    String apiVersion = eviction.path("apiVersion").asText("");
    String kind = eviction.path("kind").asText("");
    if (!kind.isEmpty() && !kind.equals("Eviction") || !apiVersion.isEmpty() && !API_VERSIONS.contains(apiVersion)) {
      return ApiStatus.badRequest("the body of an eviction must be a policy/v1 Eviction, not " + apiVersion + " "
          + kind);
    }
    String named = eviction.path("metadata").path("name").asText("");
    if (!named.isEmpty() && !named.equals(name)) {
      return ApiStatus.badRequest("name in URL does not match name in Eviction object");
    }
    return null;
  }
}
