package io.steuermann.http.discovery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
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
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.util.ByteString;

/**
 * The OpenAPI v3 documents served at {@code /openapi/v3/...}: Kubernetes' own documents for
 * each group version we serve (resources under {@code /openapi/v3/}), filtered by
 * {@link OpenApiFilter} to our resources, encoded once and hashed the way kube-apiserver
 * hashes them (SHA-512, upper-case hex), so that clients can cache a document by its URL.
 *
 * <p>Immutable once built. One instance is made at server start and handed to the routes; the
 * documents are built on first use, not at start, because parsing about 3 MB of JSON costs
 * up to a second on a cold JVM that most servers (and most tests) never need.
 */
public final class OpenApiDocuments {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** One served document: {@code key} is {@code api/v1} or {@code apis/G/V}. */
  public record Document(String key, ByteString json, String hash) {
    /** The URL the root points at, with the hash that makes it cacheable forever. */
    public String serverRelativeUrl() {
      return "/openapi/v3/" + key + "?hash=" + hash;
    }
  }

  /** Everything served, built together so the root's hashes always match the documents. */
  public record Served(Map<String, Document> byKey, Document root) {}

  private final String resourceDirectory;
  private volatile Served served;

  private OpenApiDocuments(String resourceDirectory) {
    this.resourceDirectory = resourceDirectory;
  }

  /** The documents from this jar's {@code /openapi/v3/} resources. */
  public static OpenApiDocuments fromClasspath() {
    return new OpenApiDocuments("/openapi/v3/");
  }

  /** The document of one group version ({@code api/v1}, {@code apis/apps/v1}), if we serve it. */
  public Optional<Document> groupVersion(String key) {
    return Optional.ofNullable(served().byKey().get(key));
  }

  /** {@code /openapi/v3}: {@code {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=..."}}}}. */
  public Document root() {
    return served().root();
  }

  public List<Document> documents() {
    return List.copyOf(served().byKey().values());
  }

  private Served served() {
    Served s = served;
    if (s == null) {
      synchronized (this) {
        s = served;
        if (s == null) {
          s = build();
          served = s;
        }
      }
    }
    return s;
  }

  private Served build() {
    Map<String, Document> byKey = new LinkedHashMap<>();
    for (Map.Entry<String, List<Kind>> gv : groupVersions().entrySet()) {
      String key = gv.getKey();
      ObjectNode upstream = read(resourceDirectory + key.replace("/", "__") + "_openapi.json");
      Set<String> resources = gv.getValue().stream()
          .flatMap(k -> Discovery.resourcesOf(k).stream())
          .map(r -> r.get("name").asText())
          .collect(Collectors.toUnmodifiableSet());
      byKey.put(key, document(key, OpenApiFilter.filter(upstream, "/" + key, resources)));
    }
    ObjectNode root = MAPPER.createObjectNode();
    ObjectNode paths = root.putObject("paths");
    byKey.values().forEach(d -> paths.putObject(d.key()).put("serverRelativeURL", d.serverRelativeUrl()));
    return new Served(Map.copyOf(byKey), document("", root));
  }

  /** Served group versions in {@link Kind} order, keyed as the root keys them. */
  private static Map<String, List<Kind>> groupVersions() {
    Map<String, List<Kind>> served = new LinkedHashMap<>();
    for (Kind k : Kind.values()) {
      for (String version : k.servedVersions()) {
        served.computeIfAbsent(k.group().isEmpty() ? "api/" + version : "apis/" + k.group() + "/" + version,
            key -> new java.util.ArrayList<>()).add(k);
      }
    }
    return served;
  }

  private ObjectNode read(String resource) {
    try (InputStream in = OpenApiDocuments.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("OpenAPI document " + resource + " is missing from the classpath");
      }
      return (ObjectNode) MAPPER.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read OpenAPI document " + resource, e);
    }
  }

  private static Document document(String key, ObjectNode doc) {
    try {
      byte[] bytes = MAPPER.writeValueAsBytes(doc);
      String hash = HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(bytes));
      return new Document(key, ByteString.fromArray(bytes), hash);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
