package io.steuermann.engine.selector;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Kubernetes field selector ({@code ?fieldSelector=}, {@code kubectl --field-selector}):
 * comma-separated (AND) terms {@code field=value}, {@code field==value} or {@code field!=value}.
 * The empty string selects everything.
 *
 * <p>Only the fields in {@link #SUPPORTED_FIELDS} may be used (Kubernetes restricts them per
 * kind; we accept the union for every kind, which is harmless since a missing field reads as
 * ""). Values may escape {@code \}, {@code ,} and {@code =} with a backslash, as Kubernetes'
 * {@code fields.EscapeValue} does. Whitespace around fields and values is ignored.
 */
public final class FieldSelector {

    /** The fields that can be selected on. */
    public static final Set<String> SUPPORTED_FIELDS = Set.of(
            "metadata.name", "metadata.namespace",
            // Pod
            "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
            "spec.hostNetwork", "status.phase", "status.podIP", "status.nominatedNodeName",
            // Event (kubectl events --for sends kind, apiVersion and name)
            "involvedObject.kind", "involvedObject.name", "involvedObject.namespace", "involvedObject.uid",
            "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
            "reason", "reportingComponent", "source", "type",
            // Node, Service
            "spec.unschedulable", "spec.clusterIP", "spec.type");

    /** Fields kube-apiserver derives rather than reads as they are. */
    private static final java.util.Map<String, String> PATHS = java.util.Map.of("source", "source.component");

    /** Booleans that read "false" when absent, as Kubernetes formats them. */
    private static final Set<String> BOOLEANS = Set.of("spec.hostNetwork", "spec.unschedulable");

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());

    /**
     * One term.
     *
     * @param field a supported field path, e.g. {@code spec.nodeName}
     * @param negated true for {@code !=}
     * @param value the unescaped value to compare with
     */
    public record Term(String field, boolean negated, String value) {

        public boolean matches(JsonNode object) {
            return read(object, field).equals(value) != negated;
        }

        @Override
        public String toString() {
            return field + (negated ? "!=" : "=") + escape(value);
        }
    }

    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        List<Term> sorted = new ArrayList<>(terms);
        sorted.sort(Comparator.comparing(Term::field).thenComparing(Term::toString));
        this.terms = List.copyOf(sorted);
    }

    /** Selects every object. */
    public static FieldSelector everything() {
        return EVERYTHING;
    }

    /**
     * Parses a field selector string.
     *
     * @throws SelectorException for an unsupported field ({@code field label not supported:
     *     <field>}), a term without an operator, or a bad escape in a value
     */
    public static FieldSelector parse(String selector) {
        if (selector == null) {
            throw new SelectorException("field selector must not be null");
        }
        List<Term> terms = new ArrayList<>();
        for (String term : splitTerms(selector)) {
            if (term.isBlank()) {
                continue;
            }
            terms.add(parseTerm(selector, term));
        }
        return terms.isEmpty() ? EVERYTHING : new FieldSelector(terms);
    }

    private static Term parseTerm(String selector, String term) {
        // As in Kubernetes, the field part has no escaping: the first operator splits the term.
        for (int i = 0; i < term.length(); i++) {
            String rest = term.substring(i);
            for (String op : List.of("!=", "==", "=")) {
                if (rest.startsWith(op)) {
                    String field = term.substring(0, i).trim();
                    if (!SUPPORTED_FIELDS.contains(field)) {
                        throw new SelectorException("field label not supported: " + field);
                    }
                    String value = unescape(rest.substring(op.length()).trim());
                    return new Term(field, op.equals("!="), value);
                }
            }
        }
        throw new SelectorException("invalid selector: '" + selector + "'; can't understand '" + term + "'");
    }

    /** Splits on commas not preceded by an escaping backslash. */
    private static List<String> splitTerms(String selector) {
        List<String> terms = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean escaped = false;
        for (int i = 0; i < selector.length(); i++) {
            char c = selector.charAt(i);
            if (escaped) {
                escaped = false;
            } else if (c == '\\') {
                escaped = true;
            } else if (c == ',') {
                terms.add(current.toString());
                current.setLength(0);
                continue;
            }
            current.append(c);
        }
        terms.add(current.toString());
        return terms;
    }

    private static String unescape(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\') {
                char n = i + 1 < value.length() ? value.charAt(i + 1) : 0;
                if (n != '\\' && n != ',' && n != '=') {
                    throw new SelectorException("invalid field selector: invalid escape sequence: \\"
                            + (n == 0 ? "" : String.valueOf(n)));
                }
                sb.append(n);
                i++;
            } else if (c == '=' || c == ',') {
                throw new SelectorException("invalid field selector: unescaped character in value: " + c);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static String escape(String value) {
        return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=");
    }

    /** The field's text in the object; a missing or null field reads as "" like in Kubernetes. */
    private static String read(JsonNode object, String field) {
        JsonNode node = object;
        for (String part : PATHS.getOrDefault(field, field).split("\\.")) {
            if (node == null) {
                break;
            }
            node = node.get(part);
        }
        if (node == null || node.isNull() || node.isContainerNode()) {
            return BOOLEANS.contains(field) ? "false" : "";
        }
        return node.asText();
    }

    /** Whether the object satisfies every term. */
    public boolean matches(JsonNode object) {
        for (Term t : terms) {
            if (!t.matches(object)) {
                return false;
            }
        }
        return true;
    }

    /** True if this selects everything. */
    public boolean isEmpty() {
        return terms.isEmpty();
    }

    /** Terms sorted by field. */
    public List<Term> terms() {
        return terms;
    }

    /**
     * The value {@code field} must equal, if some term requires exactly that (Kubernetes'
     * {@code RequiresExactMatch}); lets callers use an index, e.g. pods by {@code spec.nodeName}.
     */
    public Optional<String> requiresExactMatch(String field) {
        return terms.stream().filter(t -> t.field().equals(field) && !t.negated()).map(Term::value).findFirst();
    }

    /** Canonical form: terms sorted by field, {@code ==} as {@code =}, values escaped. */
    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(terms.size());
        for (Term t : terms) {
            parts.add(t.toString());
        }
        return String.join(",", parts);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FieldSelector other && terms.equals(other.terms);
    }

    @Override
    public int hashCode() {
        return terms.hashCode();
    }
}
