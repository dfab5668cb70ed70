package io.steuermann.engine.selector;

import com.fasterxml.jackson.databind.JsonNode;
import io.steuermann.engine.selector.Requirement.Operator;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes label selector: a conjunction of {@link Requirement}s.
 *
 * <p>Two ways in, with Kubernetes' (deliberately different) edge cases:
 *
 * <ul>
 *   <li>{@link #parse(String)} -- the string syntax of {@code ?labelSelector=} and
 *       {@code kubectl -l}. The empty string selects <em>everything</em>.
 *   <li>{@link #fromJson(JsonNode)} -- a {@code metav1.LabelSelector} object as found in
 *       Deployments, ReplicaSets, Jobs, PodDisruptionBudgets... An empty object {@code {}}
 *       selects <em>everything</em>; a null or absent selector selects <em>nothing</em>.
 * </ul>
 *
 * <p>Immutable; {@code equals} compares the canonical form.
 */
public final class LabelSelector {

    private static final LabelSelector EVERYTHING = new LabelSelector(List.of(), false);
    private static final LabelSelector NOTHING = new LabelSelector(List.of(), true);

    private final List<Requirement> requirements;
    private final boolean nothing;

    private LabelSelector(List<Requirement> requirements, boolean nothing) {
        List<Requirement> sorted = new ArrayList<>(requirements);
        // Sorted so the canonical form and equals() do not depend on the order terms were written in.
        sorted.sort(Comparator.comparing(Requirement::key).thenComparing(Requirement::toString));
        this.requirements = List.copyOf(sorted);
        this.nothing = nothing;
    }

    /** Selects every object. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Selects no object (Kubernetes' {@code labels.Nothing()}). */
    public static LabelSelector nothing() {
        return NOTHING;
    }

    /** A selector from requirements; no requirements selects everything. */
    public static LabelSelector of(List<Requirement> requirements) {
        return requirements.isEmpty() ? EVERYTHING : new LabelSelector(requirements, false);
    }

    /**
     * Equality on every entry, like Kubernetes' {@code SelectorFromSet} used for Service and
     * ReplicationController selectors. An empty map selects everything.
     *
     * @throws SelectorException if a key or value is not a valid label key/value
     */
    public static LabelSelector fromMap(Map<String, String> labels) {
        List<Requirement> reqs = new ArrayList<>();
        labels.forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, List.of(v))));
        return of(reqs);
    }

    /**
     * Parses the label selector string syntax: comma-separated (AND) requirements, each one of
     * {@code k=v}, {@code k==v}, {@code k!=v}, {@code k in (v1,v2)}, {@code k notin (v1)},
     * {@code k} (exists) or {@code !k} (does not exist). Whitespace around tokens is ignored.
     * The empty (or blank) string selects everything.
     *
     * @throws SelectorException with a Kubernetes-style message, e.g.
     *     {@code unable to parse requirement: found ')', expected: identifier}
     */
    public static LabelSelector parse(String selector) {
        if (selector == null) {
            throw new SelectorException("label selector must not be null");
        }
        return of(new Parser(selector).parse());
    }

    /**
     * Converts a {@code metav1.LabelSelector} ({@code matchLabels} + {@code matchExpressions}
     * with operators {@code In}, {@code NotIn}, {@code Exists}, {@code DoesNotExist}).
     *
     * @param selector the selector object; Java null, JSON null or missing selects nothing,
     *     while {@code {}} selects everything
     * @throws SelectorException if the object is malformed or holds invalid keys/values
     */
    /**
     * The pods a workload selects: its {@code spec.selector}, a {@code metav1.LabelSelector}, or
     * for a ReplicationController the plain map of labels it has instead.
     */
    public static LabelSelector ofWorkload(JsonNode workload) {
        JsonNode selector = workload.path("spec").path("selector");
        if (!"ReplicationController".equals(workload.path("kind").asText())) {
            return fromJson(selector);
        }
        if (!selector.isObject() || selector.isEmpty()) {
            return NOTHING;
        }
        Map<String, String> labels = new java.util.TreeMap<>();
        selector.fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return fromMap(labels);
    }

    public static LabelSelector fromJson(JsonNode selector) {
        if (selector == null || selector.isNull() || selector.isMissingNode()) {
            return NOTHING;
        }
        if (!selector.isObject()) {
            throw new SelectorException("label selector must be an object, got " + selector);
        }
        List<Requirement> reqs = new ArrayList<>();
        JsonNode matchLabels = selector.get("matchLabels");
        if (matchLabels != null && !matchLabels.isNull()) {
            if (!matchLabels.isObject()) {
                throw new SelectorException("matchLabels must be an object, got " + matchLabels);
            }
            for (Map.Entry<String, JsonNode> e : matchLabels.properties()) {
                reqs.add(new Requirement(e.getKey(), Operator.EQUALS, List.of(text(e.getValue(), "matchLabels." + e.getKey()))));
            }
        }
        JsonNode expressions = selector.get("matchExpressions");
        if (expressions != null && !expressions.isNull()) {
            if (!expressions.isArray()) {
                throw new SelectorException("matchExpressions must be a list, got " + expressions);
            }
            for (JsonNode expr : expressions) {
                reqs.add(expression(expr));
            }
        }
        return of(reqs);
    }

    private static Requirement expression(JsonNode expr) {
        if (!expr.isObject()) {
            throw new SelectorException("matchExpressions entries must be objects, got " + expr);
        }
        String key = text(expr.path("key"), "matchExpressions[].key");
        String op = text(expr.path("operator"), "matchExpressions[].operator");
        Operator operator = switch (op) {
            case "In" -> Operator.IN;
            case "NotIn" -> Operator.NOT_IN;
            case "Exists" -> Operator.EXISTS;
            case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
            default -> throw new SelectorException(Requirement.quote(op) + " is not a valid label selector operator");
        };
        List<String> values = new ArrayList<>();
        JsonNode vs = expr.get("values");
        if (vs != null && !vs.isNull()) {
            if (!vs.isArray()) {
                throw new SelectorException("matchExpressions[].values must be a list, got " + vs);
            }
            for (JsonNode v : vs) {
                values.add(text(v, "matchExpressions[].values[]"));
            }
        }
        return new Requirement(key, operator, values);
    }

    private static String text(JsonNode node, String what) {
        if (!node.isTextual()) {
            throw new SelectorException(what + " must be a string, got " + (node.isMissingNode() ? "nothing" : node));
        }
        return node.textValue();
    }

    /** Whether every requirement holds; always false for {@link #nothing()}. */
    public boolean matches(Map<String, String> labels) {
        if (nothing) {
            return false;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** True if this selects everything (no requirements); false for {@link #nothing()}. */
    public boolean isEmpty() {
        return !nothing && requirements.isEmpty();
    }

    /** True for the selector that selects nothing. */
    public boolean isNothing() {
        return nothing;
    }

    /** Requirements sorted by key. */
    public List<Requirement> requirements() {
        return requirements;
    }

    /**
     * Canonical string form: requirements sorted by key, joined with ",", {@code ==} written as
     * {@code =}, set values sorted. Parsing it yields an equal selector. Everything and nothing
     * both render as "" (as in Kubernetes) -- check {@link #isNothing()} where that matters.
     */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(requirements.size());
        for (Requirement r : requirements) {
            parts.add(r.toString());
        }
        return String.join(",", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSelector other && nothing == other.nothing && requirements.equals(other.requirements);
    }

    @Override
    public int hashCode() {
        return requirements.hashCode() * 31 + Boolean.hashCode(nothing);
    }

    /** Recursive-descent parser over Kubernetes' selector grammar; one instance per parse. */
    private static final class Parser {

        private enum Kind { IDENTIFIER, BANG, EQ, DOUBLE_EQ, NOT_EQ, OPEN, CLOSE, COMMA, GT, LT, END }

        private record Token(Kind kind, String text) {
        }

        private final String input;
        private int pos;

        Parser(String input) {
            this.input = input;
        }

        List<Requirement> parse() {
            List<Requirement> reqs = new ArrayList<>();
            if (peek().kind() == Kind.END) {
                return reqs;
            }
            while (true) {
                Token t = peek();
                if (t.kind() != Kind.IDENTIFIER && t.kind() != Kind.BANG) {
                    throw new SelectorException("found '" + t.text() + "', expected: !, identifier, or 'end of string'");
                }
                reqs.add(requirement());
                Token sep = next();
                if (sep.kind() == Kind.END) {
                    return reqs;
                }
                if (sep.kind() != Kind.COMMA) {
                    throw new SelectorException("found '" + sep.text() + "', expected: ',' or 'end of string'");
                }
                Token after = peek();
                if (after.kind() != Kind.IDENTIFIER && after.kind() != Kind.BANG) {
                    throw new SelectorException("found '" + after.text() + "', expected: identifier after ','");
                }
            }
        }

        private Requirement requirement() {
            try {
                boolean negated = false;
                Token t = next();
                if (t.kind() == Kind.BANG) {
                    negated = true;
                    t = next();
                }
                if (t.kind() != Kind.IDENTIFIER || isKeyword(t.text())) {
                    throw new SelectorException("found '" + t.text() + "', expected: identifier");
                }
                String key = t.text();
                Kind following = peek().kind();
                if (negated || following == Kind.COMMA || following == Kind.END) {
                    return new Requirement(key, negated ? Operator.DOES_NOT_EXIST : Operator.EXISTS, List.of());
                }
                Token op = next();
                if (op.kind() == Kind.IDENTIFIER && op.text().equals("in")) {
                    return new Requirement(key, Operator.IN, valueSet());
                }
                if (op.kind() == Kind.IDENTIFIER && op.text().equals("notin")) {
                    return new Requirement(key, Operator.NOT_IN, valueSet());
                }
                Operator operator = switch (op.kind()) {
                    case EQ, DOUBLE_EQ -> Operator.EQUALS;
                    case NOT_EQ -> Operator.NOT_EQUALS;
                    case GT, LT -> throw new SelectorException("operator '" + op.text() + "' is not supported");
                    default -> throw new SelectorException("found '" + op.text() + "', expected: in, notin, =, ==, !=");
                };
                return new Requirement(key, operator, List.of(exactValue()));
            } catch (SelectorException e) {
                throw new SelectorException("unable to parse requirement: " + e.getMessage());
            }
        }

        private String exactValue() {
            Token t = peek();
            if (t.kind() == Kind.END || t.kind() == Kind.COMMA) {
                return ""; // "a=" selects the empty label value, as in Kubernetes
            }
            next();
            if (t.kind() != Kind.IDENTIFIER) {
                throw new SelectorException("found '" + t.text() + "', expected: identifier");
            }
            return t.text();
        }

        private List<String> valueSet() {
            Token open = next();
            if (open.kind() != Kind.OPEN) {
                throw new SelectorException("found '" + open.text() + "', expected: '('");
            }
            List<String> values = new ArrayList<>();
            if (peek().kind() == Kind.CLOSE) {
                next();
                return values; // rejected by Requirement with Kubernetes' "can't be empty" message
            }
            while (true) {
                Token t = peek();
                if (t.kind() == Kind.IDENTIFIER) {
                    next();
                    values.add(t.text());
                } else if (t.kind() == Kind.COMMA || t.kind() == Kind.CLOSE) {
                    values.add(""); // an empty slot between commas is the empty value
                } else {
                    throw new SelectorException("found '" + t.text() + "', expected: ',', ')' or identifier");
                }
                Token sep = next();
                if (sep.kind() == Kind.CLOSE) {
                    return values;
                }
                if (sep.kind() != Kind.COMMA) {
                    throw new SelectorException("found '" + sep.text() + "', expected: ',' or ')'");
                }
            }
        }

        private static boolean isKeyword(String s) {
            return s.equals("in") || s.equals("notin");
        }

        private Token peek() {
            int saved = pos;
            Token t = next();
            pos = saved;
            return t;
        }

        private Token next() {
            while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
                pos++;
            }
            if (pos >= input.length()) {
                return new Token(Kind.END, "end of string");
            }
            char c = input.charAt(pos);
            char n = pos + 1 < input.length() ? input.charAt(pos + 1) : 0;
            switch (c) {
                case '=':
                    pos += n == '=' ? 2 : 1;
                    return n == '=' ? new Token(Kind.DOUBLE_EQ, "==") : new Token(Kind.EQ, "=");
                case '!':
                    pos += n == '=' ? 2 : 1;
                    return n == '=' ? new Token(Kind.NOT_EQ, "!=") : new Token(Kind.BANG, "!");
                case '(':
                    pos++;
                    return new Token(Kind.OPEN, "(");
                case ')':
                    pos++;
                    return new Token(Kind.CLOSE, ")");
                case ',':
                    pos++;
                    return new Token(Kind.COMMA, ",");
                case '>':
                    pos++;
                    return new Token(Kind.GT, ">");
                case '<':
                    pos++;
                    return new Token(Kind.LT, "<");
                default:
                    int start = pos;
                    while (pos < input.length() && !isSpecial(input.charAt(pos))
                            && !Character.isWhitespace(input.charAt(pos))) {
                        pos++;
                    }
                    return new Token(Kind.IDENTIFIER, input.substring(start, pos));
            }
        }

        private static boolean isSpecial(char c) {
            return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
        }
    }
}
