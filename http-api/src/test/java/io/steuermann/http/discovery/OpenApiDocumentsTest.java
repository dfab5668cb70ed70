package io.steuermann.http.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Kind;
import io.steuermann.http.discovery.OpenApiDocuments.Document;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The served OpenAPI v3 documents, read as a client reads them: from their bytes. */
class OpenApiDocumentsTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final OpenApiDocuments DOCS = OpenApiDocuments.fromClasspath();

  private static ObjectNode parse(Document d) throws Exception {
    return (ObjectNode) MAPPER.readTree(d.json().toArray());
  }

  private static String key(Kind k) {
    return k.group().isEmpty() ? "api/" + k.version() : "apis/" + k.group() + "/" + k.version();
  }

  private static ObjectNode doc(Kind k) throws Exception {
    return parse(DOCS.groupVersion(key(k)).orElseThrow());
  }

  /** The schema whose x-kubernetes-group-version-kind names exactly this kind, as kubectl explain looks it up. */
  private static Optional<JsonNode> schemaOf(ObjectNode doc, String group, String version, String kind) {
    for (JsonNode schema : doc.path("components").path("schemas")) {
      for (JsonNode gvk : schema.path("x-kubernetes-group-version-kind")) {
        if (gvk.path("group").asText().equals(group) && gvk.path("version").asText().equals(version)
            && gvk.path("kind").asText().equals(kind)) {
          return Optional.of(schema);
        }
      }
    }
    return Optional.empty();
  }

  @Test
  void everyServedKindHasItsSchemaWithDescriptionsInItsGroupVersionsDocument() throws Exception {
    for (Kind k : Kind.values()) {
      ObjectNode doc = doc(k);
      JsonNode schema = schemaOf(doc, k.group(), k.version(), k.kindName()).orElseThrow(() -> new AssertionError(k));
      assertFalse(schema.path("description").asText().isEmpty(), k.toString());
      assertTrue(schema.path("properties").has("metadata"), k.toString());
      assertTrue(schemaOf(doc, k.group(), k.version(), k.kindName() + "List").isPresent(), k + "List");
    }
  }

  @Test
  void everyKindsPatchCarriesItsGroupVersionKindAndTheFieldValidationParameter() throws Exception {
    // kubectl's --validate checks exactly this before it decides who validates
    for (Kind k : Kind.values()) {
      String prefix = "/" + key(k);
      String item = prefix + (k.namespaced() ? "/namespaces/{namespace}/" : "/") + k.plural() + "/{name}";
      JsonNode patch = doc(k).path("paths").path(item).path("patch");
      assertEquals(MAPPER.readTree("{\"group\":\"" + k.group() + "\",\"kind\":\"" + k.kindName()
          + "\",\"version\":\"" + k.version() + "\"}"), patch.get("x-kubernetes-group-version-kind"), item);
      List<String> params = new ArrayList<>();
      patch.path("parameters").forEach(p -> params.add(p.path("name").asText()));
      assertTrue(params.contains("fieldValidation"), item + " " + params);
    }
  }

  @Test
  void everyRefResolvesInsideItsOwnDocument() throws Exception {
    for (Document d : DOCS.documents()) {
      ObjectNode doc = parse(d);
      JsonNode schemas = doc.path("components").path("schemas");
      Set<String> refs = new TreeSet<>();
      collectRefs(doc, refs);
      assertFalse(refs.isEmpty(), d.key());
      for (String ref : refs) {
        assertTrue(ref.startsWith("#/components/schemas/"), ref);
        assertTrue(schemas.has(ref.substring("#/components/schemas/".length())), d.key() + ": " + ref + " dangles");
      }
      // and nothing unreachable rides along
      assertEquals(refs.size(), schemas.size(), d.key());
    }
  }

  private static void collectRefs(JsonNode node, Set<String> refs) {
    if (node.has("$ref")) {
      refs.add(node.get("$ref").asText());
    }
    node.elements().forEachRemaining(child -> collectRefs(child, refs));
  }

  @Test
  void onlyServedResourcesAndSubresourcesArePathsAndScaleComesAlong() throws Exception {
    ObjectNode core = parse(DOCS.groupVersion("api/v1").orElseThrow());
    Set<String> paths = new TreeSet<>();
    core.path("paths").fieldNames().forEachRemaining(paths::add);
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/pods/{name}/log"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{name}/status"), paths.toString());
    assertTrue(paths.contains("/api/v1/watch/namespaces/{namespace}/services"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/pods/{name}/portforward"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/configmaps/{name}"), paths.toString());
    assertTrue(paths.contains("/api/v1/watch/namespaces/{namespace}/secrets"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/pods/{name}/eviction"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}/status"), paths.toString());
    assertTrue(paths.contains("/api/v1/persistentvolumes/{name}"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/serviceaccounts/{name}"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/limitranges/{name}"), paths.toString());
    assertTrue(paths.contains("/api/v1/namespaces/{namespace}/resourcequotas/{name}/status"), paths.toString());
    for (String notServed : List.of("serviceaccounts/{name}/token", "proxy",
        "finalize", "ephemeralcontainers")) {
      assertTrue(paths.stream().noneMatch(p -> p.contains("/" + notServed)), notServed + " in " + paths);
    }
    assertTrue(core.path("components").path("schemas").has("io.k8s.api.core.v1.ConfigMap"));
    assertTrue(core.path("components").path("schemas").has("io.k8s.api.core.v1.LimitRangeList"));
    assertTrue(core.path("components").path("schemas").has("io.k8s.api.core.v1.ResourceQuotaList"));
    assertFalse(core.path("components").path("schemas").has("io.k8s.api.core.v1.PodTemplateList"), "not served");
    ObjectNode storage = parse(DOCS.groupVersion("apis/storage.k8s.io/v1").orElseThrow());
    assertTrue(storage.path("paths").has("/apis/storage.k8s.io/v1/storageclasses/{name}"));
    assertFalse(storage.path("paths").has("/apis/storage.k8s.io/v1/csidrivers"), "not served");
    ObjectNode networking = parse(DOCS.groupVersion("apis/networking.k8s.io/v1").orElseThrow());
    assertTrue(networking.path("paths").has("/apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}/status"));
    assertTrue(networking.path("paths").has("/apis/networking.k8s.io/v1/ingressclasses/{name}"));
    assertFalse(networking.path("paths").has("/apis/networking.k8s.io/v1/namespaces/{namespace}/networkpolicies"),
        "not served");
    assertTrue(core.path("components").path("schemas").has("io.k8s.api.core.v1.Probe"));

    ObjectNode apps = parse(DOCS.groupVersion("apis/apps/v1").orElseThrow());
    assertTrue(apps.path("paths").has("/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"));
    assertTrue(apps.path("paths").has("/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale"));
    assertTrue(apps.path("components").path("schemas").has("io.k8s.api.apps.v1.StatefulSetSpec"));
    assertTrue(schemaOf(apps, "autoscaling", "v1", "Scale").isPresent());
    ObjectNode batch = parse(DOCS.groupVersion("apis/batch/v1").orElseThrow());
    assertTrue(batch.path("paths").has("/apis/batch/v1/namespaces/{namespace}/jobs/{name}/status"));
    assertTrue(batch.path("paths").has("/apis/batch/v1/watch/namespaces/{namespace}/cronjobs"));
    assertTrue(batch.path("components").path("schemas").has("io.k8s.api.batch.v1.CronJobSpec"));
    ObjectNode policy = parse(DOCS.groupVersion("apis/policy/v1").orElseThrow());
    assertTrue(policy.path("paths").has("/apis/policy/v1/namespaces/{namespace}/poddisruptionbudgets/{name}/status"));
    assertTrue(policy.path("components").path("schemas").has("io.k8s.api.policy.v1.PodDisruptionBudgetSpec"));
    assertTrue(core.path("components").path("schemas").has("io.k8s.api.policy.v1.Eviction"),
        "the eviction subresource's body comes with the core document");
    for (String version : List.of("v1", "v2")) {
      ObjectNode autoscaling = parse(DOCS.groupVersion("apis/autoscaling/" + version).orElseThrow());
      assertTrue(autoscaling.path("paths").has("/apis/autoscaling/" + version
          + "/namespaces/{namespace}/horizontalpodautoscalers/{name}/status"), version);
      assertTrue(schemaOf(autoscaling, "autoscaling", version, "HorizontalPodAutoscaler").isPresent(), version);
    }
  }

  @Test
  void theRootPointsAtEveryGroupVersionWithTheSha512OfTheServedBytes() throws Exception {
    JsonNode root = MAPPER.readTree(DOCS.root().json().toArray());
    Set<String> groupVersions = new TreeSet<>();
    for (Kind k : Kind.values()) {
      for (String version : k.servedVersions()) {
        groupVersions.add(k.group().isEmpty() ? "api/" + version : "apis/" + k.group() + "/" + version);
      }
    }
    assertEquals(groupVersions.size(), root.path("paths").size());
    for (String gv : groupVersions) {
      Document d = DOCS.groupVersion(gv).orElseThrow();
      String hash = HexFormat.of().withUpperCase().formatHex(
          MessageDigest.getInstance("SHA-512").digest(d.json().toArray()));
      assertEquals(hash, d.hash());
      assertEquals("/openapi/v3/" + gv + "?hash=" + hash,
          root.path("paths").path(gv).path("serverRelativeURL").asText());
    }
  }

  @Test
  void hashesAreStableAcrossServers() {
    OpenApiDocuments other = OpenApiDocuments.fromClasspath();
    assertEquals(DOCS.root().hash(), other.root().hash());
    for (Document d : DOCS.documents()) {
      assertEquals(d.hash(), other.groupVersion(d.key()).orElseThrow().hash());
    }
  }

  @Test
  void pathsMapToTheResourceNamesDiscoveryUses() {
    Map<String, Optional<String>> cases = Map.of(
        "/api/v1/namespaces/{namespace}/pods/{name}", Optional.of("pods"),
        "/api/v1/watch/pods", Optional.of("pods"),
        "/api/v1/namespaces/{namespace}/pods/{name}/exec", Optional.of("pods/exec"),
        "/api/v1/namespaces/{name}/status", Optional.of("namespaces/status"),
        "/api/v1/namespaces/{name}", Optional.of("namespaces"),
        "/api/v1/nodes/{name}/proxy/{path}", Optional.empty(),
        "/api/v1/", Optional.empty(),
        "/apis/apps/v1/deployments", Optional.empty());
    cases.forEach((path, resource) -> assertEquals(resource, OpenApiFilter.resourceOf(path, "/api/v1"), path));
  }
}
