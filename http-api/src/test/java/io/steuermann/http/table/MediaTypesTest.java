package io.steuermann.http.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class MediaTypesTest {

  /** Exactly what kubectl 1.32 sends for get and get -w. */
  static final String KUBECTL_GET =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

  @Test
  void kubectlGetAsksForTableV1() {
    assertEquals(Optional.of("v1"), MediaTypes.tableVersion(KUBECTL_GET));
    assertTrue(MediaTypes.wantsTable(KUBECTL_GET));
  }

  @Test
  void plainJsonIsNotATable() {
    assertEquals(Optional.empty(), MediaTypes.tableVersion("application/json"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion("application/json, */*"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion(null));
    assertEquals(Optional.empty(), MediaTypes.tableVersion(""));
    assertFalse(MediaTypes.wantsTable("*/*"));
  }

  @Test
  void v1beta1OnlyAndParameterOrderAndSpacing() {
    assertEquals(Optional.of("v1beta1"),
        MediaTypes.tableVersion("application/json; g=meta.k8s.io; v=v1beta1; as=Table, application/json"));
    assertEquals(Optional.of("v1"), MediaTypes.tableVersion("Application/JSON;AS=Table;G=meta.k8s.io;V=v1"));
  }

  @Test
  void otherTransformsProtobufAndUnknownVersionsAreNotTables() {
    assertEquals(Optional.empty(), MediaTypes.tableVersion(
        "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion(
        "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion("application/json;as=Table;v=v2;g=meta.k8s.io"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion("application/json;as=Table;v=v1;g=other.io"));
    assertEquals(Optional.empty(), MediaTypes.tableVersion(
        "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json"));
    // the first acceptable entry wins even after an unsupported one
    assertEquals(Optional.of("v1"), MediaTypes.tableVersion(
        "application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1;g=meta.k8s.io"));
  }

  @Test
  void contentTypeAndApiVersion() {
    assertEquals("application/json;as=Table;v=v1;g=meta.k8s.io", MediaTypes.tableContentType("v1"));
    assertEquals("meta.k8s.io/v1beta1", MediaTypes.tableApiVersion("v1beta1"));
  }

  @Test
  void includeObjectQuery() {
    assertEquals(Optional.of(IncludeObject.METADATA), IncludeObject.fromQuery(null));
    assertEquals(Optional.of(IncludeObject.METADATA), IncludeObject.fromQuery(""));
    assertEquals(Optional.of(IncludeObject.NONE), IncludeObject.fromQuery("None"));
    assertEquals(Optional.of(IncludeObject.OBJECT), IncludeObject.fromQuery("Object"));
    assertEquals(Optional.empty(), IncludeObject.fromQuery("object"));
  }
}
