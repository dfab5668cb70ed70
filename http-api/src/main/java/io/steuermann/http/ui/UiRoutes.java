package io.steuermann.http.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;

/**
 * The dashboard: plain HTML, CSS and JavaScript modules kept in the jar under {@code ui/},
 * served at {@code /ui/} by every API server. The page is a client of the same API as
 * kubectl (it reads the SSE change stream and writes with ordinary requests), so nothing
 * here knows about objects.
 *
 * <p>The files are read once at start (a missing one fails the server's start, not a page
 * load). Their names carry no version, so every answer says {@code Cache-Control: no-cache}
 * with an {@code ETag} of the content: a browser revalidates and gets 304 until the server
 * is upgraded, and never runs a stale module beside a new one. A Content-Security-Policy of
 * {@code 'self'} only means that even a slip in the page's own code cannot run script that
 * came with cluster data.
 */
public final class UiRoutes {
  /** Every file of the dashboard; a new one must be named here. */
  static final List<String> FILES = List.of(
      "index.html", "app.css", "app.js", "api.js", "store.js", "stream.js", "dom.js", "quantity.js",
      "cluster.js", "pods.js", "deployments.js", "services.js", "events.js", "logs.js");

  private static final String PREFIX = "/ui/";
  private static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

  private record Asset(ContentType type, byte[] bytes, String etag) {}

  private final Map<String, Asset> assets;

  public UiRoutes() {
    this(FILES);
  }

  UiRoutes(List<String> files) {
    Map<String, Asset> loaded = new LinkedHashMap<>();
    for (String file : files) {
      byte[] bytes = read("ui/" + file);
      loaded.put(file, new Asset(typeOf(file), bytes, "\"" + sha256(bytes).substring(0, 32) + "\""));
    }
    this.assets = Map.copyOf(loaded);
  }

  /** The answer, or empty when {@code request} is not for the dashboard. */
  public Optional<HttpResponse> handle(HttpRequest request) {
    String path = request.getUri().path();
    if (!path.equals("/ui") && !path.startsWith(PREFIX)) {
      return Optional.empty();
    }
    boolean head = request.method().equals(HttpMethods.HEAD);
    if (!request.method().equals(HttpMethods.GET) && !head) {
      return Optional.of(HttpResponse.create().withStatus(StatusCodes.METHOD_NOT_ALLOWED)
          .addHeader(RawHeader.create("Allow", "GET, HEAD"))
          .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "GET only\n"));
    }
    if (path.equals("/ui")) {
      // relative module URLs in the page resolve against /ui/, not against /
      String query = request.getUri().rawQueryString().map(q -> "?" + q).orElse("");
      return Optional.of(HttpResponse.create().withStatus(StatusCodes.MOVED_PERMANENTLY)
          .addHeader(Location.create(PREFIX + query)));
    }
    String name = path.substring(PREFIX.length());
    Asset asset = assets.get(name.isEmpty() ? "index.html" : name);
    if (asset == null) {
      return Optional.of(HttpResponse.create().withStatus(StatusCodes.NOT_FOUND)
          .withEntity(ContentTypes.TEXT_PLAIN_UTF8, "no such file: " + path + "\n"));
    }
    HttpResponse response = HttpResponse.create()
        .addHeader(RawHeader.create("ETag", asset.etag()))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Content-Type-Options", "nosniff"))
        .addHeader(RawHeader.create("Content-Security-Policy", CSP))
        .addHeader(RawHeader.create("Referrer-Policy", "no-referrer"));
    boolean notModified = request.getHeader("If-None-Match")
        .map(h -> List.of(h.value().split(",")).stream().map(String::trim)
            .anyMatch(t -> t.equals("*") || t.equals(asset.etag()) || t.equals("W/" + asset.etag())))
        .orElse(false);
    if (notModified) {
      return Optional.of(response.withStatus(StatusCodes.NOT_MODIFIED));
    }
    return Optional.of(response.withEntity(HttpEntities.create(asset.type(), asset.bytes())));
  }

  static ContentType typeOf(String file) {
    String ext = file.substring(file.lastIndexOf('.') + 1);
    return switch (ext) {
      case "html" -> ContentTypes.TEXT_HTML_UTF8;
      case "css" -> ContentTypes.parse("text/css; charset=utf-8");
      // modules must come as JavaScript: browsers refuse a module script of any other type
      case "js" -> ContentTypes.parse("text/javascript; charset=utf-8");
      case "svg" -> ContentTypes.parse("image/svg+xml");
      default -> throw new IllegalArgumentException("no content type for " + file);
    };
  }

  private static byte[] read(String resource) {
    try (InputStream in = UiRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("the dashboard file " + resource + " is missing from the classpath");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
