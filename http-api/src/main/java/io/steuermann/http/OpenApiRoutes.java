package io.steuermann.http;

import io.steuermann.http.discovery.OpenApiDocuments;
import io.steuermann.http.discovery.OpenApiDocuments.Document;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.DateTime;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.ETag;
import org.apache.pekko.http.javadsl.model.headers.EntityTag;
import org.apache.pekko.http.javadsl.model.headers.Expires;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * {@code GET /openapi/v3} and {@code GET /openapi/v3/{api/v1|apis/G/V}}, with the caching
 * kube-apiserver offers, because kubectl keeps these documents in its disk cache by URL:
 * every answer has the document's hash as {@code ETag} (a matching {@code If-None-Match} is
 * answered 304); a URL with the current {@code ?hash=} is {@code Cache-Control: public,
 * immutable}; a URL with an old hash is redirected (301) to the current one, so a client never
 * caches a new document under an old hash.
 *
 * <p>{@code /openapi/v2} stays 404: kubectl reads v2 only as protobuf (gnostic's
 * {@code OpenAPIv2.Document}) and only when v3 is missing, and we have neither Kubernetes'
 * swagger 2.0 documents nor a well-kept codec for that protobuf.
 */
final class OpenApiRoutes {
  private final OpenApiDocuments documents;

  OpenApiRoutes(OpenApiDocuments documents) {
    this.documents = documents;
  }

  /** The answer, or empty when the request is not a GET of a served OpenAPI v3 document. */
  Optional<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    if (!request.method().equals(HttpMethods.GET) || !(path.equals("/openapi/v3") || path.startsWith("/openapi/v3/"))) {
      return Optional.empty();
    }
    String key = path.substring("/openapi/v3".length()).replaceAll("^/+|/+$", "");
    if (key.isEmpty()) {
      return Optional.of(answer(request, documents.root(), List.of()));
    }
    return documents.groupVersion(key).map(doc -> {
      Optional<String> hash = request.getUri().query().get("hash");
      if (hash.isEmpty()) {
        return answer(request, doc, List.of());
      }
      if (!hash.get().equals(doc.hash())) {
        return HttpResponse.create().withStatus(StatusCodes.MOVED_PERMANENTLY)
            .addHeader(Location.create(doc.serverRelativeUrl()));
      }
      DateTime inAYear = DateTime.create(ZonedDateTime.now().plusYears(1).toInstant().toEpochMilli());
      return answer(request, doc, List.of(
          RawHeader.create("Cache-Control", "public, immutable"),
          Expires.create(inAYear),
          // the same URL could one day be answered in protobuf: caches must key by Accept
          RawHeader.create("Vary", "Accept")));
    });
  }

  private static HttpResponse answer(HttpRequest request, Document doc, List<HttpHeader> extra) {
    ETag etag = ETag.create(EntityTag.create(doc.hash(), false));
    boolean notModified = request.getHeader("If-None-Match")
        .map(h -> List.of(h.value().split(",")).stream().map(String::trim)
            .anyMatch(t -> t.equals("*") || t.equals("\"" + doc.hash() + "\"") || t.equals("W/\"" + doc.hash() + "\"")))
        .orElse(false);
    HttpResponse response = HttpResponse.create().addHeader(etag).addHeaders(extra);
    if (notModified) {
      return response.withStatus(StatusCodes.NOT_MODIFIED);
    }
    return response.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, doc.json()));
  }
}
