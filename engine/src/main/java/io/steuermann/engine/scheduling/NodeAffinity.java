package io.steuermann.engine.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.model.Meta;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pod's hard constraints on node labels: {@code spec.nodeSelector} (every entry must equal a
 * node label) and {@code spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution}
 * (at least one of the {@code nodeSelectorTerms} must match; within a term every expression must
 * match). Both must hold, as in Kubernetes' NodeAffinity filter plugin.
 *
 * @param required the node selector terms, or empty when the pod has no required affinity
 */
public record NodeAffinity(Map<String, String> nodeSelector, Optional<List<Term>> required) {

  /** One node selector term: expressions on labels and on fields (only {@code metadata.name}). */
  public record Term(List<Expression> matchExpressions, List<Expression> matchFields) {
    boolean matches(Map<String, String> labels, String nodeName) {
      // Kubernetes: a term with neither expressions nor fields selects no node.
      if (matchExpressions.isEmpty() && matchFields.isEmpty()) {
        return false;
      }
      for (Expression e : matchExpressions) {
        if (!e.matches(labels)) {
          return false;
        }
      }
      for (Expression e : matchFields) {
        if (!e.key().equals("metadata.name") || !e.matches(Map.of("metadata.name", nodeName))) {
          return false;
        }
      }
      return true;
    }
  }

  /** A node selector requirement: key, operator (In, NotIn, Exists, DoesNotExist, Gt, Lt), values. */
  public record Expression(String key, String operator, List<String> values) {
    public Expression {
      values = List.copyOf(values);
    }

    public boolean matches(Map<String, String> labels) {
      String value = labels.get(key);
      return switch (operator) {
        case "In" -> value != null && values.contains(value);
        case "NotIn" -> value == null || !values.contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        case "Gt", "Lt" -> value != null && values.size() == 1 && compare(value, values.get(0), operator);
        default -> false;
      };
    }

    // Gt/Lt compare the label and the single value as integers; anything unparsable never matches.
    private static boolean compare(String label, String bound, String operator) {
      try {
        long l = Long.parseLong(label);
        long b = Long.parseLong(bound);
        return operator.equals("Gt") ? l > b : l < b;
      } catch (NumberFormatException e) {
        return false;
      }
    }
  }

  public static NodeAffinity of(JsonNode pod) {
    JsonNode spec = pod.path("spec");
    JsonNode req = spec.path("affinity").path("nodeAffinity")
        .path("requiredDuringSchedulingIgnoredDuringExecution");
    Optional<List<Term>> terms = Optional.empty();
    if (req.isObject()) {
      List<Term> list = new ArrayList<>();
      for (JsonNode t : req.path("nodeSelectorTerms")) {
        list.add(new Term(expressions(t.path("matchExpressions")), expressions(t.path("matchFields"))));
      }
      terms = Optional.of(List.copyOf(list));
    }
    return new NodeAffinity(Meta.stringMap(spec.path("nodeSelector")), terms);
  }

  /**
   * A {@code NodeSelector} ({@code nodeSelectorTerms}, ORed) alone, as a PersistentVolume's
   * {@code spec.nodeAffinity.required} holds it.
   */
  public static NodeAffinity ofSelector(JsonNode selector) {
    List<Term> list = new ArrayList<>();
    for (JsonNode t : selector.path("nodeSelectorTerms")) {
      list.add(new Term(expressions(t.path("matchExpressions")), expressions(t.path("matchFields"))));
    }
    return new NodeAffinity(Map.of(), Optional.of(List.copyOf(list)));
  }

  public boolean matches(NodeInfo node) {
    return matches(node.labels(), node.name());
  }

  public boolean matches(Map<String, String> labels, String nodeName) {
    for (Map.Entry<String, String> e : nodeSelector.entrySet()) {
      if (!e.getValue().equals(labels.get(e.getKey()))) {
        return false;
      }
    }
    if (required.isEmpty()) {
      return true;
    }
    // Terms are ORed; an empty list of terms selects no node.
    for (Term t : required.get()) {
      if (t.matches(labels, nodeName)) {
        return true;
      }
    }
    return false;
  }

  private static List<Expression> expressions(JsonNode list) {
    List<Expression> out = new ArrayList<>();
    for (JsonNode e : list) {
      List<String> values = new ArrayList<>();
      e.path("values").forEach(v -> values.add(v.asText()));
      out.add(new Expression(Meta.text(e, "key"), Meta.text(e, "operator"), values));
    }
    return List.copyOf(out);
  }
}
