package io.steuermann.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.Engine;
import io.steuermann.engine.api.ObjectStore;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import io.steuermann.engine.model.Kind;
import io.steuermann.engine.model.Meta;
import io.steuermann.engine.model.ObjectKey;
import io.steuermann.engine.objects.ObjectCommand;
import io.steuermann.engine.objects.ObjectCommand.Part;
import io.steuermann.engine.objects.ObjectCommand.PatchType;
import io.steuermann.engine.objects.ObjectCommand.Reply;
import io.steuermann.engine.selector.FieldSelector;
import io.steuermann.engine.selector.LabelSelector;
import io.steuermann.engine.selector.SelectorException;
import io.steuermann.engine.watch.WatchCache;
import io.steuermann.engine.watch.WatchFilter;
import io.steuermann.http.fields.FieldChecks;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.Query;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.pattern.AskTimeoutException;

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
  }

  public CompletionStage<HttpResponse> handle(HttpRequest request, ResourcePath path) {
    Query query = request.getUri().query();
    var method = request.method();
    if (method.equals(HttpMethods.GET)) {
      if (path.isCollection()) {
        boolean watch = path.watchPrefix() || isTrue(query.get("watch"));
        if (watch || watches.wantsEventStream(request)) {
          return watchFrom(request, path, query);
        }
        return list(request, path, query);
      }
      if (path.watchPrefix()) {
        return watchFrom(request, path, query);
      }
      return get(request, path);
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

  // ---- reads

  private CompletionStage<HttpResponse> get(HttpRequest request, ResourcePath path) {
    Optional<ObjectKey> key = key(path);
    if (key.isEmpty()) {
      return notFoundNamespace(path);
    }
    if (path.subresource() != null && !knownSubresource(path)) {
      return unsupported(request, path);
    }
    // From the watch cache once it holds every acknowledged write, as a list is served: asking
    // the entity would queue the read behind that object's writes (seconds in a write burst).
    return engine.consistentRead(engine.askTimeout()).thenApply(version -> {
      ObjectNode object = cache.get(key.get());
      if (object == null) {
        return StatusResponses.response(ApiStatus.notFound(path.kind(), path.name()));
      }
      if ("scale".equals(path.subresource())) {
        return responses.json(200, Scales.toScale(object));
      }
      return responses.object(request, 200, object);
    }).exceptionally(this::failure);
  }

  private CompletionStage<HttpResponse> list(HttpRequest request, ResourcePath path, Query query) {
    WatchFilter filter;
    try {
      filter = filter(path, query);
    } catch (SelectorException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    String rv = query.get("resourceVersion").orElse("");
    long minimum = Meta.parseResourceVersion(rv);
    if (minimum < 0) {
      return done(StatusResponses.response(ApiStatus.badRequest("invalid resourceVersion: " + rv)));
    }
    int limit;
    try {
      limit = Integer.parseInt(query.get("limit").orElse("0"));
    } catch (NumberFormatException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(
          "invalid limit: " + query.get("limit").orElse("") + ": not an integer")));
    }
    Optional<String> continued = query.get("continue").filter(c -> !c.isEmpty());
    if (continued.isPresent()) {
      return nextPage(request, path, filter, rv, continued.get(), limit);
    }
    String match = query.get("resourceVersionMatch").orElse("");
    if (!match.isEmpty()) {
      if (rv.isEmpty()) {
        return done(StatusResponses.response(ApiStatus.badRequest(
            "resourceVersionMatch is forbidden unless resourceVersion is provided")));
      }
      if (match.equals("Exact")) {
        if (minimum == 0) {
          return done(StatusResponses.response(ApiStatus.badRequest(
              "resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"")));
        }
        // the list as it was at that version, rebuilt from the history as a paged list's later pages are
        return engine.awaitVersion(minimum, engine.askTimeout())
            .thenApply(v -> exact(request, path, filter, minimum, limit))
            .exceptionally(this::failure);
      }
      if (!match.equals("NotOlderThan")) {
        return done(StatusResponses.response(ApiStatus.badRequest("resourceVersionMatch: Unsupported value: \""
            + match + "\": supported values: \"Exact\", \"NotOlderThan\"")));
      }
    }
    CompletionStage<Long> consistent = rv.isEmpty()
        ? engine.consistentRead(engine.askTimeout())
        : engine.awaitVersion(minimum, engine.askTimeout());
    if (limit > 0) {
      return consistent
          .thenApply(v -> page(request, path, filter, 0, null, limit))
          .exceptionally(this::failure);
    }
    return consistent
        .thenApply(v -> responses.list(request, path.kind(), cache.list(filter)))
        .exceptionally(this::failure);
  }

  private HttpResponse exact(HttpRequest request, ResourcePath path, WatchFilter filter, long version, int limit) {
    try {
      cache.page(filter, version, null, 1);
    } catch (io.steuermann.engine.watch.GoneException e) {
      return StatusResponses.response(ApiStatus.gone("too old resource version: " + version));
    }
    return page(request, path, filter, version, null, limit > 0 ? limit : Integer.MAX_VALUE);
  }

  /** A later page of a paged list: the same version as the first, after the last key sent. */
  private CompletionStage<HttpResponse> nextPage(HttpRequest request, ResourcePath path, WatchFilter filter,
      String rv, String continued, int limit) {
    if (!rv.isEmpty() && !rv.equals("0")) {
      return done(StatusResponses.response(ApiStatus.badRequest(
          "specifying resource version is not allowed when using continue")));
    }
    ContinueToken token;
    ObjectKey after;
    try {
      token = ContinueToken.decode(continued);
      after = token.key(path.kind());
    } catch (IllegalArgumentException e) {
      return done(StatusResponses.response(ApiStatus.badRequest(e.getMessage())));
    }
    // the first page may have come from a member whose cache was ahead of this one's
    return engine.awaitVersion(token.resourceVersion(), engine.askTimeout())
        .thenApply(v -> page(request, path, filter, token.resourceVersion(), after, limit > 0 ? limit : Integer.MAX_VALUE))
        .exceptionally(this::failure);
  }

  private HttpResponse page(HttpRequest request, ResourcePath path, WatchFilter filter, long version,
      ObjectKey after, int limit) {
    WatchCache.Page page;
    try {
      page = cache.page(filter, version, after, limit);
    } catch (io.steuermann.engine.watch.GoneException e) {
      // client-go's pager knows reason Expired: it starts the list over without a limit
      return StatusResponses.response(new ApiStatus(410, "Expired", "The provided continue parameter is too old "
          + "to display a consistent list result. You can start a new list without the continue parameter.", null));
    }
    String next = page.more() ? ContinueToken.after(page.resourceVersion(), page.last()).encode() : null;
    return responses.list(request, path.kind(), new WatchCache.Snapshot(page.resourceVersion(), page.items()),
        next, page.more() && page.remaining() >= 0 ? page.remaining() : null);
  }

  /**
   * sendInitialEvents without a resourceVersion is a consistent read, as a list without one: the
   * initial events hold every write acknowledged before the request, by any member.
   */
  private CompletionStage<HttpResponse> watchFrom(HttpRequest request, ResourcePath path, Query query) {
    if (isTrue(query.get("sendInitialEvents")) && query.get("resourceVersion").orElse("").isEmpty()) {
      return engine.consistentRead(engine.askTimeout()).thenApply(v -> watch(request, path, query))
          .exceptionally(this::failure);
    }
    return done(watch(request, path, query));
  }

  private HttpResponse watch(HttpRequest request, ResourcePath path, Query query) {
    WatchFilter filter;
    try {
      filter = filter(path, query);
      if (path.name() != null) {
        filter = new WatchFilter(filter.kind(), filter.namespace(), filter.labels(),
            FieldSelector.parse(joinSelectors("metadata.name=" + path.name(),
                query.get("fieldSelector").orElse(""))));
      }
    } catch (SelectorException e) {
      return StatusResponses.response(ApiStatus.badRequest(e.getMessage()));
    }
    return watches.stream(request, path.kind(), filter, query);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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
    }).exceptionally(this::failure);
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

  private HttpResponse failure(Throwable error) {
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
      return StatusResponses.response(ApiStatus.timeout(
          "the server was unable to return a response in the time allotted, but may still be processing the request"));
    }
    return StatusResponses.response(ApiStatus.internal(String.valueOf(cause.getMessage())));
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

  private Optional<ObjectKey> key(ResourcePath path) {
    if (path.kind().namespaced() && path.namespace().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ObjectKey.of(path.kind(), path.namespace(), path.name()));
  }

  private CompletionStage<HttpResponse> notFoundNamespace(ResourcePath path) {
    return done(StatusResponses.response(ApiStatus.notFound(path.kind(), path.name())));
  }

  private static boolean knownSubresource(ResourcePath path) {
    return ("status".equals(path.subresource()) && path.kind().hasStatus())
        || ("scale".equals(path.subresource()) && path.kind().hasScale());
  }

  private static Part part(ResourcePath path) {
    return "status".equals(path.subresource()) ? Part.STATUS : Part.MAIN;
  }

  private CompletionStage<HttpResponse> unsupported(HttpRequest request, ResourcePath path) {
    return done(StatusResponses.response(ApiStatus.methodNotAllowed(
        "the server does not allow this method on the requested resource: " + request.method().value()
            + " " + request.getUri().path())));
  }

  static WatchFilter filter(ResourcePath path, Query query) {
    return new WatchFilter(path.kind(), path.namespace(),
        LabelSelector.parse(query.get("labelSelector").orElse("")),
        FieldSelector.parse(query.get("fieldSelector").orElse("")));
  }

  private static String joinSelectors(String a, String b) {
    return b.isEmpty() ? a : a + "," + b;
  }

  /** A boolean query parameter as kube-apiserver reads it ("true" in any case, or "1"). */
  public static boolean isTrue(Optional<String> value) {
    return value.map(v -> v.equals("1") || v.equalsIgnoreCase("true")).orElse(false);
  }

  private String suffix() {
    StringBuilder s = new StringBuilder(5);
    for (int i = 0; i < 5; i++) {
      s.append(ALPHANUMS.charAt(random.nextInt(ALPHANUMS.length())));
    }
    return s.toString();
  }

  private static CompletionStage<HttpResponse> done(HttpResponse response) {
    return CompletableFuture.completedFuture(response);
  }

  static Duration seconds(Optional<String> value, Duration fallback) {
    try {
      return value.map(v -> Duration.ofSeconds(Long.parseLong(v))).orElse(fallback);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
