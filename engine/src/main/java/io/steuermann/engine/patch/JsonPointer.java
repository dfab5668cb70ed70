package io.steuermann.engine.patch;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed RFC 6901 JSON Pointer. Own implementation rather than Jackson's
 * {@code JsonPointer} because that one silently accepts malformed escapes and does not expose
 * the "-" (end of array) token distinctly.
 *
 * @param text the pointer as written, used in error messages
 * @param tokens the unescaped reference tokens; empty for the whole document
 */
record JsonPointer(String text, List<String> tokens) {

    JsonPointer {
        tokens = List.copyOf(tokens);
    }

    /** @throws IllegalArgumentException with a reason when the pointer is malformed */
    static JsonPointer parse(String text) {
        if (text.isEmpty()) {
            return new JsonPointer(text, List.of());
        }
        if (text.charAt(0) != '/') {
            throw new IllegalArgumentException("must be empty or start with '/'");
        }
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 1; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '/') {
                tokens.add(current.toString());
                current.setLength(0);
            } else if (c == '~') {
                char next = i + 1 < text.length() ? text.charAt(i + 1) : 0;
                if (next == '0') {
                    current.append('~');
                } else if (next == '1') {
                    current.append('/');
                } else {
                    throw new IllegalArgumentException("invalid escape '~' at position " + i
                            + " (only ~0 and ~1 are allowed)");
                }
                i++;
            } else {
                current.append(c);
            }
        }
        tokens.add(current.toString());
        return new JsonPointer(text, tokens);
    }

    boolean isRoot() {
        return tokens.isEmpty();
    }

    JsonPointer parent() {
        return new JsonPointer(text.substring(0, text.lastIndexOf('/')), tokens.subList(0, tokens.size() - 1));
    }

    String lastToken() {
        return tokens.get(tokens.size() - 1);
    }

    /** True if {@code other} points strictly inside the value this pointer designates. */
    boolean isProperPrefixOf(JsonPointer other) {
        return other.tokens.size() > tokens.size() && other.tokens.subList(0, tokens.size()).equals(tokens);
    }
}
