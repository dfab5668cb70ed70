package io.steuermann.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class NodeRuntimesTest {

  @Test
  void hollowNodesImplyTheHollowRuntime() throws Exception {
    assertEquals(NodeRuntimes.Kind.HOLLOW, NodeRuntimes.kind("docker", 3));
    assertEquals(NodeRuntimes.Kind.DOCKER, NodeRuntimes.kind("docker", 0));
    assertEquals(NodeRuntimes.Kind.NONE, NodeRuntimes.kind("none", 0));
    assertEquals(NodeRuntimes.Kind.HOLLOW, NodeRuntimes.kind("hollow", 0));
  }

  @Test
  void anUnknownRuntimeIsRefusedWithItsKey() {
    NodeRuntimes.Unavailable e = assertThrows(NodeRuntimes.Unavailable.class, () -> NodeRuntimes.kind("podman", 0));
    assertTrue(e.getMessage().contains("steuermann.node.runtime"), e.getMessage());
  }

  @Test
  void anUnreachableEngineStopsWithAMessageThatSaysWhatToDo() {
    NodeRuntimes.Unavailable e = assertThrows(NodeRuntimes.Unavailable.class, () -> NodeRuntimes.connect(
        ConfigFactory.parseString("runtime = docker\ndocker.host = \"unix:///nonexistent/docker.sock\"")
            .withFallback(ConfigFactory.load().getConfig("steuermann.node"))));
    assertTrue(e.getMessage().contains("unix:///nonexistent/docker.sock"), e.getMessage());
    assertTrue(e.getMessage().contains("--hollow-nodes") && e.getMessage().contains("--runtime none"), e.getMessage());
  }

  @Test
  void theNodeIsNamedAfterTheMachineUnlessConfigured() {
    assertEquals("n1", NodeRuntimes.nodeName("n1"));
    assertTrue(!NodeRuntimes.nodeName("").isEmpty());
  }
}
