package io.steuermann.engine.selector;

import io.steuermann.engine.validation.Names;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * One term of a {@link LabelSelector}, e.g. {@code env in (prod,qa)}.
 *
 * @param key the label key, a valid qualified name
 * @param operator how the label is compared
 * @param values sorted, de-duplicated values: exactly one for {@code EQUALS}/{@code NOT_EQUALS},
 *     at least one for {@code IN}/{@code NOT_IN}, none for {@code EXISTS}/{@code DOES_NOT_EXIST}
 */
public record Requirement(String key, Operator operator, List<String> values) {

    /** Label selector operators; {@code ==} parses to {@link #EQUALS}. */
    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST }

    /**
     * Validates like Kubernetes' {@code NewRequirement}.
     *
     * @throws SelectorException naming the bad key, value or value count
     */
    public Requirement {
        if (key == null || operator == null || values == null) {
            throw new SelectorException("key, operator and values must not be null");
        }
        List<String> keyErrors = Names.labelKey(key);
        if (!keyErrors.isEmpty()) {
            throw new SelectorException("key: Invalid value: " + quote(key) + ": " + String.join("; ", keyErrors));
        }
        values = List.copyOf(new TreeSet<>(values));
        switch (operator) {
            case IN, NOT_IN -> {
                if (values.isEmpty()) {
                    throw new SelectorException("values: Invalid value: " + values
                            + ": for 'in', 'notin' operators, values set can't be empty");
                }
            }
            case EQUALS, NOT_EQUALS -> {
                if (values.size() != 1) {
                    throw new SelectorException("values: Invalid value: " + values
                            + ": exact-match compatibility requires one single value");
                }
            }
            case EXISTS, DOES_NOT_EXIST -> {
                if (!values.isEmpty()) {
                    throw new SelectorException("values: Invalid value: " + values
                            + ": values set must be empty for exists and does not exist");
                }
            }
        }
        for (int i = 0; i < values.size(); i++) {
            List<String> valueErrors = Names.labelValue(values.get(i));
            if (!valueErrors.isEmpty()) {
                throw new SelectorException("values[" + i + "][" + key + "]: Invalid value: "
                        + quote(values.get(i)) + ": " + String.join("; ", valueErrors));
            }
        }
    }

    /** Kubernetes semantics: negative operators match objects that lack the label altogether. */
    public boolean matches(Map<String, String> labels) {
        String value = labels.get(key);
        return switch (operator) {
            case EQUALS, IN -> value != null && values.contains(value);
            case NOT_EQUALS, NOT_IN -> value == null || !values.contains(value);
            case EXISTS -> value != null;
            case DOES_NOT_EXIST -> value == null;
        };
    }

    /** Canonical string form, e.g. {@code a=b}, {@code !a}, {@code env notin (dev,qa)}. */
    @Override
    public String toString() {
        return switch (operator) {
            case EQUALS -> key + "=" + values.get(0);
            case NOT_EQUALS -> key + "!=" + values.get(0);
            case IN -> key + " in (" + String.join(",", values) + ")";
            case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
            case EXISTS -> key;
            case DOES_NOT_EXIST -> "!" + key;
        };
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
