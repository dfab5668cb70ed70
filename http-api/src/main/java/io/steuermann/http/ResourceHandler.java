package io.steuermann.http;

import static io.steuermann.http.ResourceRequests.done;
import static io.steuermann.http.ResourceRequests.filter;
import static io.steuermann.http.ResourceRequests.isTrue;
import static io.steuermann.http.ResourceRequests.key;
import static io.steuermann.http.ResourceRequests.knownSubresource;
import static io.steuermann.http.ResourceRequests.unsupported;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.Engine;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.http.fields.FieldChecks;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * Serves the resource paths: get, list, watch, create, replace, patch, delete and the
 * {@code status} and {@code scale} subresources, for every kind alike. Reads of one object
 * go to its entity (consistent); lists and watches come from the watch cache.
 */
public final class ResourceHandler {
  private static final String ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789";

  private final Engine engine;
  private final ObjectStore store;
  private final WatchCache cache;
  private final RequestBodies bodies;
  private final WriteLimiter writes;
  private final Responses responses;
  private final WatchStreams watches;
  private final FieldChecks fields;
  private final SecureRandom random = new SecureRandom();
  private final CollectionDeletes collection;
  private final ResourceReads reads;
  private final PodEvictions evictions;

  public ResourceHandler(Engine engine, RequestBodies bodies, WriteLimiter writes,
      Responses responses, WatchStreams watches, FieldChecks fields) {
    this.engine = engine;
    this.store = engine.store();
    this.cache = engine.cache();
    this.bodies = bodies;
    this.writes = writes;
    this.responses = responses;
    this.watches = watches;
    this.fields = fields;
    this.collection = new CollectionDeletes(engine.system());
    this.reads = new ResourceReads(engine, responses, watches);
    this.evictions = new PodEvictions(engine, bodies, responses);
  }

  public CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    Query query = request.getUri().query();
    var method = request.method();
    if (method.equals(HttpMethods.GET)) {
      if (path.isCollection()) {
        boolean watch = path.watchPrefix() || isTrue(query.get("watch"));
        if (watch || watches.wantsEventStream(request)) {
          return reads.watchFrom(request, path, query);
        }
        return reads.list(request, path, query);
      }
      if (path.watchPrefix()) {
        return reads.watchFrom(request, path, query);
      }
      return reads.get(request, path);
    }
    String object = path.isCollection() ? null
        : path.kind().plural() + " \"" + (path.namespace().isEmpty() ? "" : path.namespace() + "/") + path.name() + "\"";
    WriteLimiter.Admission admission = writes.admit(WriteFlows.of(request), object);
    if (admission.permit() == null) {
      return done(StatusResponses.response(ApiStatus.tooManyRequests(admission.refusal())));
    }
    CompletionStage<HttpResponse> write;
    try {
      write = write(request, path, query, method);
    } catch (RuntimeException e) {
      write = CompletableFuture.failedFuture(e);
    }
    return write.whenComplete((r, e) -> admission.permit().release(r == null ? 500 : r.status().intValue()));
  }

  private CompletionStage<HttpResponse> write(HttpRequest request, ResourcePath path, Query query,
      org.apache.pekko.http.javadsl.model.HttpMethod method) {
    WriteOptions.Parsed parsed = WriteOptions.parse(method, query);
    if (parsed.refusal() != null) {
      return done(StatusResponses.response(parsed.refusal()));
    }
    WriteOptions options = parsed.options();
    if (method.equals(HttpMethods.POST)) {
      if (path.kind() == Kind.POD && "binding".equals(path.subresource())) {
        return bind(request, path, options);
      }
      if (path.kind() == Kind.POD && "eviction".equals(path.subresource())) {
        return key(path).map(k -> evictions.evict(request, k, options)).orElseGet(() -> unsupported(request, path));
      }
      if (path.kind() == Kind.DEPLOYMENT && "rollback".equals(path.subresource())) {
        return rollback(request, path, options);
      }
      return path.isCollection() ? create(request, path, options) : unsupported(request, path);
    } else if (method.equals(HttpMethods.PUT)) {
      return path.isCollection() ? unsupported(request, path) : replace(request, path, options);
    } else if (method.equals(HttpMethods.PATCH)) {
      return path.isCollection() ? unsupported(request, path) : patch(request, path, options);
    } else if (method.equals(HttpMethods.DELETE)) {
      return path.isCollection() ? deleteCollection(request, path, options) : delete(request, path, options);
    }
    return unsupported(request, path);
  }

  // ---- writes

  private CompletionStage<HttpResponse> create(HttpRequest request, ResourcePath path, WriteOptions options) {
    if (path.kind().namespaced() && path.namespace().isEmpty()) {
      return done(StatusResponses.response(ApiStatus.methodNotAllowed(
          "create " + path.kind().plural() + " in a namespace: POST to .../namespaces/{namespace}/"
              + path.kind().plural())));
    }
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      ApiStatus shape = checkShape(path.kind(), body.json());
      if (shape != null) {
        return done(StatusResponses.response(shape));
      }
      FieldChecks.Outcome checked = fields.check(path.kind(), options.validation(), body.json(), body.raw(), false);
      if (checked.refusal() != null) {
        return done(StatusResponses.response(checked.refusal()));
      }
      ObjectNode object = (ObjectNode) body.json();
      ObjectNode meta = Meta.metadata(object);
      String namespace = Meta.namespace(object);
      if (path.kind().namespaced() && !namespace.isEmpty() && !namespace.equals(path.namespace())) {
        return done(StatusResponses.response(ApiStatus.badRequest(
            "the namespace of the provided object does not match the namespace sent on the request")));
      }
      String name = Meta.name(object);
      if (name.isEmpty()) {
        String generateName = Meta.text(meta, "generateName");
        if (generateName.isEmpty()) {
          return done(StatusResponses.response(ApiStatus.invalid(path.kind(), "", java.util.List.of(
              new ApiStatus.Cause("FieldValueRequired", "Required value: name or generateName is required",
                  "metadata.name")))));
        }
        name = generateName + suffix();
        meta.put("name", name);
      }
      ObjectKey key = ObjectKey.of(path.kind(), path.namespace(), name);
      return store(options).create(key, object, fieldManager(request))
          .thenApply(reply -> warn(checked, reply instanceof ObjectCommand.Done done
              ? responses.object(request, 201, done.object())
              : refusal(reply)));
    }).exceptionally(ResourceRequests::failure);
  }

  private CompletionStage<HttpResponse> replace(HttpRequest request, ResourcePath path, WriteOptions options) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty() || (path.subresource() != null && !knownSubresource(path))) {
      return unsupported(request, path);
    }
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      if ("scale".equals(path.subresource())) {
        if (!body.json().isObject()) {
          return done(StatusResponses.response(ApiStatus.badRequest("a Scale must be a JSON object")));
        }
        ApiStatus badScale = fields.checkScale(path.kind(), body.json(), false);
        if (badScale != null) {
          return done(StatusResponses.response(badScale));
        }
        JsonNode replicas = body.json().path("spec").path("replicas");
        long rv = Meta.parseResourceVersion(Meta.resourceVersion(body.json()));
        return store(options).scale(key.get(), replicas.asInt(0), Math.max(rv, 0), fieldManager(request))
            .thenApply(reply -> reply instanceof ObjectCommand.Done done
                ? responses.json(200, Scales.toScale(done.object()))
                : refusal(reply));
      }
      ApiStatus shape = checkShape(path.kind(), body.json());
      if (shape != null) {
        return done(StatusResponses.response(shape));
      }
      FieldChecks.Outcome checked = fields.check(path.kind(), options.validation(), body.json(), body.raw(), false);
      if (checked.refusal() != null) {
        return done(StatusResponses.response(checked.refusal()));
      }
      return store(options).replace(key.get(), (ObjectNode) body.json(), part(path), fieldManager(request))
          .thenApply(reply -> warn(checked, answer(request, reply)));
    }).exceptionally(ResourceRequests::failure);
  }

  private CompletionStage<HttpResponse> patch(HttpRequest request, ResourcePath path, WriteOptions options) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty() || (path.subresource() != null && !knownSubresource(path))) {
      return unsupported(request, path);
    }
    String contentType = request.entity().getContentType().mediaType().toString();
    if (contentType.equals(ApplyBodies.MEDIA_TYPE)) {
      return apply(request, path, key.get(), options);
    }
    if (request.getUri().query().get("force").isPresent()) {
      return done(StatusResponses.response(patchOptionsInvalid("force", "FieldValueForbidden",
          "Forbidden: may not be specified for non-apply patch")));
    }
    String manager = fieldManager(request);
    PatchType type;
    switch (contentType) {
      case "application/merge-patch+json" -> type = PatchType.MERGE;
      case "application/json-patch+json" -> type = PatchType.JSON;
      case "application/strategic-merge-patch+json" -> type = PatchType.STRATEGIC;
      default -> {
        return done(StatusResponses.response(ApiStatus.unsupportedMediaType(
            "the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, "
                + "application/apply-patch+yaml, application/strategic-merge-patch+json")));
      }
    }
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      if ("scale".equals(path.subresource())) {
        return patchScale(store(options), key.get(), type, body.json(), manager, 3);
      }
      FieldChecks.Outcome checked = type == PatchType.JSON ? fields.checkJsonPatch(path.kind(), body.json())
          : fields.check(path.kind(), options.validation(), body.json(), body.raw(), true);
      if (checked.refusal() != null) {
        return done(StatusResponses.response(checked.refusal()));
      }
      return store(options).patch(key.get(), type, body.json(), part(path), manager)
          .thenApply(reply -> warn(checked, answer(request, reply)));
    }).exceptionally(ResourceRequests::failure);
  }

  /** A patch of the Scale view: applied to the current Scale, written as a conditional scale. */
  private CompletionStage<HttpResponse> patchScale(ObjectStore store, ObjectKey key, PatchType type, JsonNode patch,
      String manager, int attempts) {
    return store.get(key).thenCompose(reply -> {
      if (!(reply instanceof ObjectCommand.Done done)) {
        return done(refusal(reply));
      }
      ObjectNode scale = Scales.toScale(done.object());
      JsonNode patched;
      try {
        patched = Scales.patch(scale, type, patch);
      } catch (RuntimeException e) {
        return done(StatusResponses.response(new ApiStatus(422, "Invalid",
            "the server rejected our request due to an error in our request: " + e.getMessage(), null)));
      }
      ApiStatus badScale = fields.checkScale(key.kind(), patched, true);
      if (badScale != null) {
        return done(StatusResponses.response(badScale));
      }
      long rv = Meta.parseResourceVersion(Meta.resourceVersion(patched));
      return store.scale(key, patched.path("spec").path("replicas").asInt(0), Math.max(rv, 0), manager)
          .thenCompose(result -> {
            if (result instanceof ObjectCommand.Refused r && r.status().code() == 409 && attempts > 1
                && rv == Meta.parseResourceVersion(Meta.resourceVersion(scale))) {
              return patchScale(store, key, type, patch, manager, attempts - 1);
            }
            return done(result instanceof ObjectCommand.Done d
                ? responses.json(200, Scales.toScale(d.object()))
                : refusal(result));
          });
    });
  }

  /**
   * Server-side apply: {@code PATCH} with {@code application/apply-patch+yaml}. The manager
   * must be named; 201 when the apply created the object.
   */
  private CompletionStage<HttpResponse> apply(HttpRequest request, ResourcePath path, ObjectKey key,
      WriteOptions options) {
    Query query = request.getUri().query();
    String manager = query.get("fieldManager").orElse("");
    if (manager.isEmpty()) {
      // kubectl always names one ("kubectl"); other clients must, as in Kubernetes
      return done(StatusResponses.response(patchOptionsInvalid("fieldManager", "FieldValueRequired",
          "Required value: is required for apply patch")));
    }
    if ("scale".equals(path.subresource())) {
      request.discardEntityBytes(engine.system());
      return done(StatusResponses.response(ApiStatus.unsupportedMediaType(
          "server-side apply of the scale subresource is not supported; apply spec.replicas on the object")));
    }
    return bodies.apply(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      ApiStatus shape = checkShape(path.kind(), body.json());
      if (shape != null) {
        return done(StatusResponses.response(shape));
      }
      // an applied configuration is checked as a patch body: a partial object
      FieldChecks.Outcome checked = fields.checkApply(path.kind(), options.validation(), body.json());
      if (checked.refusal() != null) {
        return done(StatusResponses.response(checked.refusal()));
      }
      return store(options).apply(key, (ObjectNode) body.json(), manager, isTrue(query.get("force")),
              part(path))
          .thenApply(reply -> warn(checked, reply instanceof ObjectCommand.Done done
              ? responses.object(request, done.created() ? 201 : 200, done.object())
              : refusal(reply)));
    }).exceptionally(ResourceRequests::failure);
  }

  /** A refused patch option, as kube-apiserver validates {@code PatchOptions} (422). */
  private static ApiStatus patchOptionsInvalid(String field, String reason, String message) {
    return new ApiStatus(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: " + field + ": " + message,
        new ApiStatus.Details("", "meta.k8s.io", "PatchOptions",
            java.util.List.of(new ApiStatus.Cause(reason, message, field))));
  }

  /**
   * The field manager of a write that is not an apply: the {@code fieldManager} query
   * parameter, else, as kube-apiserver does, the User-Agent up to its first '/'
   * ("kubectl/v1.32.0 (linux/amd64) ..." is "kubectl"); null without either.
   */
  static String fieldManager(HttpRequest request) {
    Optional<String> named = request.getUri().query().get("fieldManager").filter(m -> !m.isEmpty());
    if (named.isPresent()) {
      return named.get();
    }
    String agent = request.getHeader("User-Agent").map(h -> h.value()).orElse("");
    int slash = agent.indexOf('/');
    String prefix = (slash < 0 ? agent : agent.substring(0, slash)).trim();
    return prefix.isEmpty() ? null : prefix;
  }

  private CompletionStage<HttpResponse> delete(HttpRequest request, ResourcePath path, WriteOptions query) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty() || path.subresource() != null) {
      return unsupported(request, path);
    }
    return DeleteOptions.read(bodies, fields, request, query).thenCompose(parsed -> {
      if (parsed.refusal() != null) {
        return done(StatusResponses.response(parsed.refusal()));
      }
      DeleteOptions options = parsed.options();
      return store(options.dryRun()).delete(key.get(), options.uid(), options.resourceVersion(),
              options.gracePeriodSeconds(), options.propagationPolicy())
          .thenApply(reply -> answer(request, reply));
    }).exceptionally(ResourceRequests::failure);
  }

  private CompletionStage<HttpResponse> deleteCollection(HttpRequest request, ResourcePath path, WriteOptions query) {
    if (path.subresource() != null || path.kind() == Kind.NAMESPACE
        || (path.kind().namespaced() && path.namespace().isEmpty())) {
      return unsupported(request, path);
    }
    WatchFilter filter;
    try {
      filter = filter(path, request.getUri().query());
    } catch (SelectorException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    return DeleteOptions.read(bodies, fields, request, query).thenCompose(parsed -> {
      if (parsed.refusal() != null) {
        return done(StatusResponses.response(parsed.refusal()));
      }
      DeleteOptions options = parsed.options();
      return engine.consistentRead(engine.askTimeout())
          .thenCompose(v -> collection.delete(store(options.dryRun()), path.kind(), cache.list(filter), options))
          .thenApply(deleted -> deleted.refusal() != null
              ? StatusResponses.response(deleted.refusal())
              : responses.list(request, path.kind(), deleted.snapshot()));
    }).exceptionally(ResourceRequests::failure);
  }

  /** {@code POST .../pods/{name}/binding} with a {@code Binding}: what a scheduler does. */
  private CompletionStage<HttpResponse> bind(HttpRequest request, ResourcePath path, WriteOptions options) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty()) {
      return unsupported(request, path);
    }
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      ApiStatus badBinding = fields.checkBinding(body.json());
      if (badBinding != null) {
        return done(StatusResponses.response(badBinding));
      }
      String node = body.json().path("target").path("name").asText("");
      return store(options).bind(key.get(), node).thenApply(reply -> reply instanceof ObjectCommand.Done
          ? responses.json(201, StatusResponses.success())
          : refusal(reply));
    }).exceptionally(ResourceRequests::failure);
  }

  /**
   * {@code POST .../deployments/{name}/rollback} with a {@code DeploymentRollback}
   * ({@code {"rollbackTo": {"revision": N}}}, 0 = the previous revision).
   */
  private CompletionStage<HttpResponse> rollback(HttpRequest request, ResourcePath path, WriteOptions options) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty()) {
      return unsupported(request, path);
    }
    return bodies.json(request).thenCompose(body -> {
      if (body.refusal() != null) {
        return done(StatusResponses.response(body.refusal()));
      }
      long revision = body.json().path("rollbackTo").path("revision").asLong(0);
      return io.steuermann.engine.api.Rollbacks.rollback(store(options), cache, key.get(), revision)
          .thenApply(reply -> answer(request, reply));
    }).exceptionally(ResourceRequests::failure);
  }

  // ---- helpers

  /** Where a write goes: the store, or the same store changing nothing ({@code dryRun=All}). */
  private ObjectStore store(WriteOptions options) {
    return store(options.dryRun());
  }

  private ObjectStore store(boolean dryRun) {
    return dryRun ? store.dryRun() : store;
  }

  /** Adds {@code fieldValidation=Warn}'s findings as kube-apiserver sends warnings (299, one header each). */
  private static HttpResponse warn(FieldChecks.Outcome checked, HttpResponse response) {
    if (checked.warnings().isEmpty()) {
      return response;
    }
    List<org.apache.pekko.http.javadsl.model.HttpHeader> headers = new ArrayList<>();
    for (String warning : checked.warnings()) {
      headers.add(RawHeader.create("Warning",
          "299 - \"" + warning.replace("\\", "\\\\").replace("\"", "\\\"") + "\""));
    }
    // one call, so they go out in the order found (addHeader puts each in front)
    return response.addHeaders(headers);
  }

  private HttpResponse answer(HttpRequest request, Reply reply) {
    return reply instanceof ObjectCommand.Done done
        ? responses.object(request, 200, done.object())
        : refusal(reply);
  }

  private static HttpResponse refusal(Reply reply) {
    return StatusResponses.response(((ObjectCommand.Refused) reply).status());
  }

  /** The body of a create or replace must be an object of the path's kind. */
  private static ApiStatus checkShape(Kind kind, JsonNode json) {
    if (!(json instanceof ObjectNode object)) {
      return ApiStatus.badRequest("the object must be a JSON object, not " + json.getNodeType());
    }
    String apiVersion = object.path("apiVersion").asText("");
    String kindName = object.path("kind").asText("");
    if (!apiVersion.isEmpty() && !apiVersion.equals(kind.apiVersion())) {
      return ApiStatus.badRequest("the API version in the data (" + apiVersion
          + ") does not match the expected API version (" + kind.apiVersion() + ")");
    }
    if (!kindName.isEmpty() && !kindName.equals(kind.kindName())) {
      return ApiStatus.badRequest("the kind in the data (" + kindName
          + ") does not match the expected kind (" + kind.kindName() + ")");
    }
    JsonNode metadata = object.get("metadata");
    if (metadata != null && !metadata.isObject()) {
      return ApiStatus.badRequest("metadata must be a JSON object");
    }
    return null;
  }

  private static Part part(ResourcePath path) {
    return "status".equals(path.subresource()) ? Part.STATUS : Part.MAIN;
  }

  private String suffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return s.toString();
  }

}
