package io.steuermann.engine.apply;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.steuermann.engine.model.Json;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The fields a manager owns, and their {@code FieldsV1} form: a tree of path elements where
 * {@code {}} marks an owned leaf and {@code ".": {}} marks an owned field that also has owned
 * fields below it (a map, or a list element). A field with only children is not itself owned.
 */
public record FieldSet(Set<FieldPath> paths) {

  public static final FieldSet EMPTY = new FieldSet(Set.of());

  public FieldSet {
    paths = java.util.Collections.unmodifiableSet(new TreeSet<>(paths));
  }

  public static FieldSet of(Collection<FieldPath> paths) {
    return new FieldSet(Set.copyOf(paths));
  }

  public boolean isEmpty() {
    return paths.isEmpty();
  }

  public boolean contains(FieldPath path) {
    return paths.contains(path);
  }

  public FieldSet union(FieldSet other) {
    Set<FieldPath> all = new TreeSet<>(paths);
    all.addAll(other.paths);
    return new FieldSet(all);
  }

  public FieldSet minus(FieldSet other) {
    return filter(p -> !other.paths.contains(p));
  }

  public FieldSet intersect(FieldSet other) {
    return filter(other.paths::contains);
  }

  public FieldSet filter(Predicate<FieldPath> keep) {
    Set<FieldPath> kept = new TreeSet<>();
    for (FieldPath p : paths) {
      if (keep.test(p)) {
        kept.add(p);
      }
    }
    return new FieldSet(kept);
  }

  /** Whether some path of this set lies strictly below {@code path}. */
  public boolean hasBelow(FieldPath path) {
    for (FieldPath p : paths) {
      if (path.isStrictPrefixOf(p)) {
        return true;
      }
    }
    return false;
  }

  public ObjectNode toFieldsV1() {
    Node root = new Node();
    for (FieldPath path : paths) {
      Node n = root;
      for (String element : path.elements()) {
        n = n.children.computeIfAbsent(element, e -> new Node());
      }
      n.member = true;
    }
    return root.toJson();
  }

  /** Reads {@code fieldsV1}; anything that is not an object holds no fields. */
  public static FieldSet fromFieldsV1(JsonNode fieldsV1) {
    Set<FieldPath> paths = new TreeSet<>();
    collect(fieldsV1, FieldPath.ROOT, paths);
    return new FieldSet(paths);
  }

  private static void collect(JsonNode node, FieldPath path, Set<FieldPath> into) {
    if (node == null || !node.isObject()) {
      return;
    }
    if (node.isEmpty() && !path.isRoot()) {
      into.add(path);
      return;
    }
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      if (e.getKey().equals(".")) {
        if (!path.isRoot()) {
          into.add(path);
        }
      } else {
        collect(e.getValue(), path.child(e.getKey()), into);
      }
    }
  }

  private static final class Node {
    // "." first, then the elements in order, as Kubernetes writes them
    final Map<String, Node> children = new TreeMap<>(Comparator.comparing((String k) -> !k.equals(".")).thenComparing(k -> k));
    boolean member;

    ObjectNode toJson() {
      ObjectNode json = Json.object();
      if (member && !children.isEmpty()) {
        json.putObject(".");
      }
      children.forEach((k, child) -> json.set(k, child.toJson()));
      return json;
    }
  }
}
