package io.steuermann.engine.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;

/**
 * RFC 7386 JSON Merge Patch ({@code application/merge-patch+json}).
 *
 * <p>An object patch merges recursively into the target; a {@code null} member removes the
 * member; any other patch value (including arrays) replaces the target wholesale. Inputs are never
 * mutated: the result shares no nodes with either argument.
 */
public final class JsonMergePatch {

    private JsonMergePatch() {
    }

    /**
     * Applies {@code patch} to {@code target}.
     *
     * @param target the document to patch; Java {@code null} or a missing node is treated as
     *     "no document", as RFC 7386 does for an undefined target
     * @param patch the merge patch; must not be Java {@code null} (use {@code NullNode} for a JSON
     *     null, which per RFC 7386 yields a JSON null result)
     * @return a new document
     */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (patch == null) {
            throw new PatchException("merge patch document must not be null");
        }
        return merge(target, patch);
    }

    private static JsonNode merge(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.isNull() ? NullNode.getInstance() : patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy()
                : JsonNodeFactory.instance.objectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                // result is already our private copy, so merging its child in place is safe.
                result.set(e.getKey(), merge(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }
}
