package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Compact builders for nodes and pods in tests; JSON may use single quotes. */
final class TestObjects {
  private TestObjects() {}

  static ObjectNode json(String text) {
    try {
      return (ObjectNode) Json.parse(text.replace('\'', '"'));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static ObjectNode node(String name, String cpu, String memory, int pods) {
    return json("{'metadata':{'name':'" + name + "','labels':{'kubernetes.io/hostname':'" + name + "'}},"
        + "'status':{'allocatable':{'cpu':'" + cpu + "','memory':'" + memory + "','pods':'" + pods + "'},"
        + "'conditions':[{'type':'Ready','status':'True'}]}}");
  }

  static ObjectNode pod(String name, String cpu, String memory) {
    return json("{'metadata':{'name':'" + name + "','namespace':'default'},'spec':{'containers':[{'name':'c',"
        + "'resources':{'requests':{'cpu':'" + cpu + "','memory':'" + memory + "'}}}]}}");
  }
}
