package io.steuermann.engine.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * RFC 6902 JSON Patch ({@code application/json-patch+json}): add, remove, replace, move, copy and
 * test, addressed with RFC 6901 JSON Pointers.
 *
 * <p>Atomic: the whole patch document is validated first, then applied to a private deep copy of
 * the target, so on any failure the caller sees a {@link PatchException} and nothing else.
 * Operations are numbered from 0 (their index in the patch array) in error messages, e.g.
 * {@code op 2 (remove): path /spec/foo does not exist}.
 */
public final class JsonPatch {

    private static final Set<String> OPS = Set.of("add", "remove", "replace", "move", "copy", "test");

    private JsonPatch() {
    }

    /** One parsed operation; {@code from} and {@code value} are null when the op has none. */
    private record Operation(int index, String op, JsonPointer path, JsonPointer from, JsonNode value) {

        PatchException fail(String detail) {
            return new PatchException("op " + index + " (" + op + "): " + detail);
        }
    }

    /**
     * Applies {@code patch} to {@code target}.
     *
     * @return a new document; neither argument is modified
     * @throws PatchException if the patch is malformed or any operation fails
     */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (target == null || target.isMissingNode()) {
            throw new PatchException("target document must not be null");
        }
        List<Operation> ops = parse(patch);
        JsonNode doc = target.deepCopy();
        for (Operation op : ops) {
            doc = applyOne(doc, op);
        }
        return doc;
    }

    private static List<Operation> parse(JsonNode patch) {
        if (patch == null || !patch.isArray()) {
            throw new PatchException("patch document must be a JSON array of operations, got "
                    + (patch == null ? "nothing" : patch.getNodeType().toString().toLowerCase()));
        }
        List<Operation> ops = new ArrayList<>(patch.size());
        for (int i = 0; i < patch.size(); i++) {
            ops.add(parseOne(i, patch.get(i)));
        }
        return ops;
    }

    private static Operation parseOne(int index, JsonNode node) {
        String prefix = "op " + index + ": ";
        if (!node.isObject()) {
            throw new PatchException(prefix + "operation must be a JSON object");
        }
        JsonNode opNode = node.get("op");
        if (opNode == null) {
            throw new PatchException(prefix + "missing required member 'op'");
        }
        if (!opNode.isTextual() || !OPS.contains(opNode.textValue())) {
            throw new PatchException(prefix + "unknown operation " + opNode
                    + " (expected one of add, remove, replace, move, copy, test)");
        }
        String op = opNode.textValue();
        prefix = "op " + index + " (" + op + "): ";
        JsonPointer path = pointer(prefix, node, "path");
        JsonPointer from = op.equals("move") || op.equals("copy") ? pointer(prefix, node, "from") : null;
        JsonNode value = null;
        if (op.equals("add") || op.equals("replace") || op.equals("test")) {
            // has() is true for an explicit JSON null, which is a legitimate value to add.
            if (!node.has("value")) {
                throw new PatchException(prefix + "missing required member 'value'");
            }
            value = node.get("value");
        }
        return new Operation(index, op, path, from, value);
    }

    private static JsonPointer pointer(String prefix, JsonNode node, String member) {
        JsonNode p = node.get(member);
        if (p == null) {
            throw new PatchException(prefix + "missing required member '" + member + "'");
        }
        if (!p.isTextual()) {
            throw new PatchException(prefix + "member '" + member + "' must be a string");
        }
        try {
            return JsonPointer.parse(p.textValue());
        } catch (IllegalArgumentException e) {
            throw new PatchException(prefix + "invalid JSON pointer '" + p.textValue() + "' in '"
                    + member + "': " + e.getMessage());
        }
    }

    /** Returns the (possibly new) root; mutates only {@code doc}, which is our private copy. */
    private static JsonNode applyOne(JsonNode doc, Operation op) {
        switch (op.op()) {
            case "add":
                return add(doc, op, op.path(), op.value().deepCopy());
            case "remove":
                return remove(doc, op, op.path());
            case "replace": {
                JsonNode removed = remove(doc, op, op.path());
                return add(removed, op, op.path(), op.value().deepCopy());
            }
            case "move": {
                if (op.from().isProperPrefixOf(op.path())) {
                    throw op.fail("cannot move " + op.from().text() + " into its own child " + op.path().text());
                }
                JsonNode value = get(doc, op, op.from(), "from");
                JsonNode afterRemove = remove(doc, op, op.from());
                return add(afterRemove, op, op.path(), value);
            }
            case "copy":
                return add(doc, op, op.path(), get(doc, op, op.from(), "from").deepCopy());
            case "test": {
                JsonNode actual = get(doc, op, op.path(), "path");
                if (!JsonNodes.jsonEquals(actual, op.value())) {
                    throw op.fail("test failed at path " + op.path().text() + ": expected " + op.value()
                            + " but found " + actual);
                }
                return doc;
            }
            default:
                throw new IllegalStateException("unreachable: " + op.op());
        }
    }

    private static JsonNode get(JsonNode doc, Operation op, JsonPointer ptr, String member) {
        JsonNode current = doc;
        for (String token : ptr.tokens()) {
            current = child(current, token);
            if (current == null) {
                throw op.fail(member + " " + ptr.text() + " does not exist");
            }
        }
        return current;
    }

    /** The child named by {@code token}, or null when there is none ("-" never exists). */
    private static JsonNode child(JsonNode node, String token) {
        if (node.isObject()) {
            return node.get(token);
        }
        if (node.isArray()) {
            int i = arrayIndex(token);
            return i >= 0 && i < node.size() ? node.get(i) : null;
        }
        return null;
    }

    /** RFC 6901 array index, or -1 when the token is not one (leading zeros are not allowed). */
    private static int arrayIndex(String token) {
        if (token.isEmpty() || token.length() > 9 || (token.length() > 1 && token.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < token.length(); i++) {
            if (token.charAt(i) < '0' || token.charAt(i) > '9') {
                return -1;
            }
        }
        return Integer.parseInt(token);
    }

    private static JsonNode container(JsonNode doc, Operation op, JsonPointer ptr) {
        JsonPointer parentPtr = ptr.parent();
        JsonNode parent = doc;
        for (String token : parentPtr.tokens()) {
            parent = child(parent, token);
            if (parent == null) {
                throw op.fail("path " + ptr.text() + " does not exist (missing parent " + parentPtr.text() + ")");
            }
        }
        if (!parent.isContainerNode()) {
            throw op.fail("path " + ptr.text() + " does not exist (" + (parentPtr.isRoot() ? "document root" : parentPtr.text())
                    + " is not an object or array)");
        }
        return parent;
    }

    private static JsonNode add(JsonNode doc, Operation op, JsonPointer ptr, JsonNode value) {
        if (ptr.isRoot()) {
            return value;
        }
        JsonNode parent = container(doc, op, ptr);
        String token = ptr.lastToken();
        if (parent.isObject()) {
            ((ObjectNode) parent).set(token, value);
            return doc;
        }
        ArrayNode array = (ArrayNode) parent;
        if (token.equals("-")) {
            array.add(value);
            return doc;
        }
        int index = arrayIndex(token);
        if (index < 0) {
            throw op.fail("path " + ptr.text() + ": '" + token + "' is not a valid array index");
        }
        if (index > array.size()) {
            throw op.fail("path " + ptr.text() + ": index " + index + " is out of bounds (array size " + array.size() + ")");
        }
        array.insert(index, value);
        return doc;
    }

    private static JsonNode remove(JsonNode doc, Operation op, JsonPointer ptr) {
        if (ptr.isRoot()) {
            // RFC 6902 leaves removing the root undefined; replace of the root, however, is
            // well-defined, and it is implemented as remove+add, so remove yields "nothing" here.
            if (op.op().equals("remove")) {
                throw op.fail("cannot remove the whole document");
            }
            return MissingNode.getInstance();
        }
        JsonNode parent = container(doc, op, ptr);
        String token = ptr.lastToken();
        if (parent.isObject()) {
            if (((ObjectNode) parent).remove(token) == null) {
                throw op.fail("path " + ptr.text() + " does not exist");
            }
            return doc;
        }
        ArrayNode array = (ArrayNode) parent;
        int index = arrayIndex(token);
        if (index < 0 || index >= array.size()) {
            throw op.fail("path " + ptr.text() + " does not exist");
        }
        array.remove(index);
        return doc;
    }
}
