package io.steuermann.http;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.ApiStatus;
import io.steuermann.engine.model.Json;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/** The one place that turns refusals into Kubernetes {@code Status} responses. */
public final class StatusResponses {
  private StatusResponses() {}

  public static ObjectNode toJson(ApiStatus status) {
    ObjectNode json = Json.object();
    json.put("kind", "Status");
    json.put("apiVersion", "v1");
    json.putObject("metadata");
    json.put("status", "Failure");
    json.put("message", status.message());
    json.put("reason", status.reason());
    if (status.details() != null) {
      ObjectNode details = json.putObject("details");
      if (status.details().name() != null) details.put("name", status.details().name());
      if (status.details().group() != null && !status.details().group().isEmpty()) {
        details.put("group", status.details().group());
      }
      if (status.details().kind() != null) details.put("kind", status.details().kind());
      if (!status.details().causes().isEmpty()) {
        ArrayNode causes = details.putArray("causes");
        for (ApiStatus.Cause c : status.details().causes()) {
          ObjectNode cause = causes.addObject();
          cause.put("reason", c.reason());
          cause.put("message", c.message());
          cause.put("field", c.field());
        }
      }
    }
    json.put("code", status.code());
    return json;
  }

  public static HttpResponse response(ApiStatus status) {
    HttpResponse response = HttpResponse.create()
        .withStatus(StatusCodes.get(status.code()))
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(toJson(status))));
    if (status.code() == 429) {
      response = response.addHeader(RawHeader.create("Retry-After", "1"));
    }
    return response;
  }

  /** A success {@code Status}, as Kubernetes answers some deletions. */
  public static ObjectNode success() {
    ObjectNode json = Json.object();
    json.put("kind", "Status");
    json.put("apiVersion", "v1");
    json.putObject("metadata");
    json.put("status", "Success");
    return json;
  }
}
