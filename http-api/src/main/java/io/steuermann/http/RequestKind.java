package io.steuermann.http;

import java.util.Arrays;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * What a request is, in the words of kube-apiserver's metrics: its verb (get, list, watch,
 * create, update, patch, delete, deletecollection, connect) and resource (plural, with
 * {@code /subresource}); a path that is no resource has the method as verb and no resource.
 * Bounded by the kinds served, so the metrics' label sets stay few.
 */
record RequestKind(String verb, String resource) {

  static RequestKind of(HttpRequest request) {
    String method = request.method().name();
    Optional<ResourcePath> parsed = ResourcePath.parse(Arrays.stream(request.getUri().path().split("/"))
        .filter(s -> !s.isEmpty()).toList());
    if (parsed.isEmpty()) {
      return new RequestKind(method.toLowerCase(java.util.Locale.ROOT), "");
    }
    ResourcePath path = parsed.get();
    String sub = path.subresource();
    String resource = path.kind().plural() + (sub == null ? "" : "/" + sub);
    if ("exec".equals(sub) || "attach".equals(sub)) {
      return new RequestKind("connect", resource);
    }
    String verb;
    if (request.method().equals(HttpMethods.GET)) {
      boolean watch = path.watchPrefix() || request.getUri().query().get("watch").map("true"::equals).orElse(false);
      verb = watch ? "watch" : path.isCollection() ? "list" : "get";
    } else if (request.method().equals(HttpMethods.POST)) {
      verb = "create";
    } else if (request.method().equals(HttpMethods.PUT)) {
      verb = "update";
    } else if (request.method().equals(HttpMethods.PATCH)) {
      verb = "patch";
    } else if (request.method().equals(HttpMethods.DELETE)) {
      verb = path.isCollection() ? "deletecollection" : "delete";
    } else {
      verb = method.toLowerCase(java.util.Locale.ROOT);
    }
    return new RequestKind(verb, resource);
  }
}
