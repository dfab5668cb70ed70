package io.steuermann.engine.patch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Map;

/**
 * The commonly used subset of Kubernetes' strategic merge patch
 * ({@code application/strategic-merge-patch+json}), as sent by {@code kubectl label, annotate,
 * patch, scale, edit}.
 *
 * <p>Semantics are those of {@link JsonMergePatch} (null deletes, objects merge recursively,
 * everything else replaces) except:
 *
 * <ul>
 *   <li>Lists under a few well-known field names ({@link MergeKeys}) are merged element-by-element by a merge key
 *       instead of being replaced: {@code containers}, {@code initContainers},
 *       {@code ephemeralContainers}, {@code volumes}, {@code env}, {@code imagePullSecrets} by
 *       {@code name}; {@code volumeMounts} by {@code mountPath}; {@code volumeDevices} by
 *       {@code devicePath}; {@code ports} by {@code containerPort} when the patch element has one,
 *       else by {@code port} (so both container and Service ports work); {@code conditions} by
 *       {@code type}; {@code ownerReferences} by {@code uid}; {@code hostAliases} by {@code ip}.
 *       Matched elements are merged recursively, unmatched ones are appended, and the original
 *       order is kept. An empty patch list leaves the original list unchanged, as in Kubernetes.
 *       There is no schema, so the table applies by field name at any depth; if a patch list
 *       under such a name does not consist of objects that all carry the merge key (and uses no
 *       directives), it is treated as an ordinary value and replaces the list.
 *   <li>Everything else, including {@code tolerations}, {@code args}, {@code command} and
 *       {@code finalizers}, is replaced wholesale (merge-patch semantics). Kubernetes also
 *       replaces tolerations; it would union {@code finalizers}, which this subset does not.
 *   <li>Directives: {@code "$patch": "delete"} on a list element removes the original element
 *       with the same merge key; {@code "$patch": "delete"} on a map removes that map;
 *       {@code "$patch": "replace"} on a map replaces it instead of merging; a list element
 *       {@code {"$patch": "replace"}} replaces the whole list with the other elements;
 *       {@code "$patch": "merge"} is the default. {@code "$deleteFromPrimitiveList/<field>": [..]}
 *       removes those values from a primitive list.
 *   <li>Ignored (and stripped from the result): {@code $retainKeys} (no field is ever cleared by
 *       it) and {@code $setElementOrder/<field>} (merged lists keep the original order, with new
 *       elements appended).
 * </ul>
 *
 * <p>Inputs are never mutated.
 */
public final class StrategicMergePatch {

    private static final String PATCH = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String SET_ELEMENT_ORDER = "$setElementOrder/";
    private static final String DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList/";

    private StrategicMergePatch() {
    }

    /**
     * Applies {@code patch} to {@code original}.
     *
     * @param original the current object; Java null, JSON null or a non-object is treated as {}
     * @param patch the strategic merge patch; must be a JSON object
     * @return a new document
     * @throws PatchException if the patch is not an object or uses an unknown/misplaced directive
     */
    public static JsonNode apply(JsonNode original, JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw new PatchException("strategic merge patch must be a JSON object");
        }
        ObjectNode base = original != null && original.isObject() ? (ObjectNode) original : null;
        if (isDirective(patch, "delete")) {
            return JsonNodeFactory.instance.objectNode();
        }
        return mergeMap(base, (ObjectNode) patch);
    }

    /** Merges into a copy of {@code original} (null = {}); never returns a "delete" marker. */
    private static ObjectNode mergeMap(ObjectNode original, ObjectNode patch) {
        JsonNode directive = patch.get(PATCH);
        if (directive != null) {
            String d = directive.asText();
            if (d.equals("replace")) {
                ObjectNode withoutDirective = patch.deepCopy();
                withoutDirective.remove(PATCH);
                return mergeMap(null, withoutDirective);
            }
            if (!d.equals("merge") && !d.equals("delete")) {
                throw new PatchException("unknown patch directive " + directive + " in map (expected merge, replace or delete)");
            }
        }
        ObjectNode result = original != null ? original.deepCopy() : JsonNodeFactory.instance.objectNode();

        // Deletions from primitive lists apply to the original before anything from the patch is added.
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getKey().startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
                deleteFromPrimitiveList(result, e.getKey().substring(DELETE_FROM_PRIMITIVE_LIST.length()), e.getValue());
            }
        }

        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String key = e.getKey();
            JsonNode value = e.getValue();
            if (isDirectiveKey(key)) {
                continue;
            }
            if (value.isNull() || isDirective(value, "delete")) {
                result.remove(key);
            } else if (value.isObject()) {
                JsonNode current = result.get(key);
                result.set(key, mergeMap(current != null && current.isObject() ? (ObjectNode) current : null,
                        (ObjectNode) value));
            } else if (value.isArray() && MergeKeys.forField(key).isPresent()
                    && isMergeable((ArrayNode) value, MergeKeys.forField(key).get())) {
                result.set(key, mergeList(key, result.get(key), (ArrayNode) value, MergeKeys.forField(key).get()));
            } else {
                result.set(key, value.deepCopy());
            }
        }
        return result;
    }

    private static boolean isDirectiveKey(String key) {
        return key.equals(PATCH) || key.equals(RETAIN_KEYS)
                || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    }

    private static boolean isDirective(JsonNode node, String directive) {
        return node.isObject() && node.path(PATCH).asText("").equals(directive);
    }

    /**
     * Whether a list is to be merged by key. Without a schema we cannot know that an arbitrary
     * "ports" or "conditions" list is a Kubernetes one, so lists that don't look like one fall
     * back to replacement -- unless they carry directives, which only make sense when merging.
     */
    private static boolean isMergeable(ArrayNode patchList, List<String> keys) {
        boolean usesDirectives = false;
        boolean allKeyed = true;
        for (JsonNode element : patchList) {
            if (!element.isObject()) {
                allKeyed = false;
                continue;
            }
            usesDirectives |= element.has(PATCH);
            allKeyed &= MergeKeys.keyOf(element, keys) != null || isDirective(element, "replace");
        }
        return allKeyed || usesDirectives;
    }

    private static ArrayNode mergeList(String field, JsonNode original, ArrayNode patch, List<String> keys) {
        for (JsonNode element : patch) {
            if (isDirective(element, "replace") && MergeKeys.keyOf(element, keys) == null) {
                return replaceList(patch);
            }
        }
        ArrayNode result = original != null && original.isArray()
                ? ((ArrayNode) original).deepCopy()
                : JsonNodeFactory.instance.arrayNode();
        for (JsonNode element : patch) {
            if (!element.isObject()) {
                throw new PatchException("list '" + field + "' can only contain objects with merge key "
                        + String.join(" or ", keys) + ", got " + element);
            }
            String key = MergeKeys.keyOf(element, keys);
            if (key == null) {
                throw new PatchException("element of list '" + field + "' does not contain merge key "
                        + String.join(" or ", keys) + ": " + element);
            }
            JsonNode keyValue = element.get(key);
            if (isDirective(element, "delete")) {
                for (int i = result.size() - 1; i >= 0; i--) {
                    if (JsonNodes.jsonEquals(result.get(i).get(key), keyValue)) {
                        result.remove(i);
                    }
                }
                continue;
            }
            int index = indexOf(result, key, keyValue);
            if (index >= 0) {
                JsonNode current = result.get(index);
                result.set(index, mergeMap(current.isObject() ? (ObjectNode) current : null, (ObjectNode) element));
            } else {
                result.add(mergeMap(null, (ObjectNode) element));
            }
        }
        return result;
    }

    private static ArrayNode replaceList(ArrayNode patch) {
        ArrayNode result = JsonNodeFactory.instance.arrayNode();
        for (JsonNode element : patch) {
            if (element.isObject() && element.size() == 1 && isDirective(element, "replace")) {
                continue;
            }
            result.add(element.isObject() ? mergeMap(null, (ObjectNode) element) : element.deepCopy());
        }
        return result;
    }

    private static int indexOf(ArrayNode list, String key, JsonNode keyValue) {
        for (int i = 0; i < list.size(); i++) {
            if (JsonNodes.jsonEquals(list.get(i).get(key), keyValue)) {
                return i;
            }
        }
        return -1;
    }

    private static void deleteFromPrimitiveList(ObjectNode target, String field, JsonNode toDelete) {
        if (!toDelete.isArray()) {
            throw new PatchException(DELETE_FROM_PRIMITIVE_LIST + field + " must be a list");
        }
        JsonNode current = target.get(field);
        if (current == null || !current.isArray()) {
            return;
        }
        ArrayNode list = (ArrayNode) current;
        for (int i = list.size() - 1; i >= 0; i--) {
            for (JsonNode d : toDelete) {
                if (JsonNodes.jsonEquals(list.get(i), d)) {
                    list.remove(i);
                    break;
                }
            }
        }
    }
}
