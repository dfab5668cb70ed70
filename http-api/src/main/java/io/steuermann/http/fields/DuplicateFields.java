package io.steuermann.http.fields;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds fields given twice in one JSON object, which a tree parser silently collapses (the
 * last wins) but kube-apiserver's strict decoder reports ({@code duplicate field "spec.paused"}).
 * A streaming pass over the bytes already parsed into a tree: nothing is built.
 */
public final class DuplicateFields {
  private static final JsonFactory FACTORY = new JsonFactory();

  private DuplicateFields() {}

  /** One open object or array: its path, and the names seen or the next index. */
  private static final class Frame {
    final String path;
    final Set<String> names;
    int index;

    Frame(String path, boolean object) {
      this.path = path;
      this.names = object ? new HashSet<>() : null;
    }
  }

  /** The paths of duplicated fields in document order; empty for malformed JSON (parsing reports that). */
  public static List<String> find(byte[] json) {
    List<String> duplicates = new ArrayList<>();
    Deque<Frame> open = new ArrayDeque<>();
    String pending = "";
    try (JsonParser parser = FACTORY.createParser(json)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        switch (token) {
          case FIELD_NAME -> {
            Frame object = open.peek();
            String name = parser.currentName();
            pending = object.path.isEmpty() ? name : object.path + "." + name;
            if (!object.names.add(name)) {
              duplicates.add(pending);
            }
          }
          case START_OBJECT, START_ARRAY -> {
            String path = valuePath(open.peek(), pending);
            open.push(new Frame(path, token == JsonToken.START_OBJECT));
          }
          case END_OBJECT, END_ARRAY -> {
            open.pop();
            advance(open.peek());
          }
          default -> advance(open.peek());
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return duplicates;
  }

  /** The path of the value that starts now: a field's (just named) or the array's next item. */
  private static String valuePath(Frame parent, String field) {
    if (parent == null) {
      return "";
    }
    return parent.names == null ? parent.path + "[" + parent.index + "]" : field;
  }

  private static void advance(Frame parent) {
    if (parent != null && parent.names == null) {
      parent.index++;
    }
  }
}
