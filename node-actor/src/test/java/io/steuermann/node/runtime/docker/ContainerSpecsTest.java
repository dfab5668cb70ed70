package io.steuermann.node.runtime.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.steuermann.engine.model.Json;
import io.steuermann.node.runtime.ContainerRuntime.PodRef;
import io.steuermann.node.runtime.docker.ContainerSpecs.PodFields;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ContainerSpecsTest {

  @Test
  void expandsVariablesAsKubernetesDoes() {
    Map<String, String> env = Map.of("A", "x", "B", "y y");
    assertEquals("x-y y", ContainerSpecs.expand("$(A)-$(B)", env));
    assertEquals("$(UNKNOWN) stays", ContainerSpecs.expand("$(UNKNOWN) stays", env));
    assertEquals("$(A) is escaped", ContainerSpecs.expand("$$(A) is escaped", env));
    assertEquals("cost $5 and $(open", ContainerSpecs.expand("cost $5 and $(open", env));
  }

  @Test
  void envTakesValuesEarlierEntriesAndPodFields() throws Exception {
    PodFields fields = new PodFields(new PodRef("ns", "p", "u-1"), "node-a", "172.17.0.5", "127.0.0.1");
    Map<String, String> env = ContainerSpecs.env(Json.parse("""
        [{"name": "A", "value": "1"}, {"name": "B", "value": "$(A)2"},
         {"name": "NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
         {"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
         {"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
         {"name": "SECRET", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]"""), fields);
    assertEquals(Map.of("A", "1", "B", "12", "NAME", "p", "IP", "172.17.0.5", "NODE", "node-a"), env);
  }

  @Test
  void imageReferencesAndDefaultPullPolicies() {
    assertEquals(new ImagePuller.Reference("busybox", "latest", false), ImagePuller.Reference.parse("busybox"));
    assertEquals(new ImagePuller.Reference("registry:5000/a/b", "1.2", false),
        ImagePuller.Reference.parse("registry:5000/a/b:1.2"));
    assertEquals(new ImagePuller.Reference("registry:5000/a/b", "latest", false),
        ImagePuller.Reference.parse("registry:5000/a/b"));
    assertEquals("Always", ImagePuller.defaultPolicy("busybox"));
    assertEquals("Always", ImagePuller.defaultPolicy("busybox:latest"));
    assertEquals("IfNotPresent", ImagePuller.defaultPolicy("busybox:1.36"));
    assertEquals("IfNotPresent", ImagePuller.defaultPolicy("busybox@sha256:abc"));
  }

  @Test
  void declaredPortsSurviveTheirLabel() {
    var ports = java.util.List.of(new PodSandboxes.DeclaredPort("web", "http", 8080, "TCP", "127.0.0.1", 0),
        new PodSandboxes.DeclaredPort("dns", "", 53, "UDP", "127.0.0.1", 5353));
    assertEquals(ports, PodSandboxes.parsePorts(PodSandboxes.portsLabel(ports)));
  }
}
