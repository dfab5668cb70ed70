package io.steuermann.engine.validation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' generic ObjectMeta validation ({@code ValidateObjectMeta} / {@code
 * ValidateObjectMetaUpdate}), operating on the raw JSON so it can run before (or without)
 * binding to a typed model. Per-kind validators call this and add their own errors.
 */
public final class Validation {

    /** Kubernetes' {@code TotalAnnotationSizeLimitB}: sum of key and value bytes. */
    public static final int TOTAL_ANNOTATION_SIZE_LIMIT_BYTES = 256 * 1024;

    private Validation() {
    }

    /**
     * Validates an object's metadata for create.
     *
     * <ul>
     *   <li>{@code name} is required unless {@code generateName} is set (the server generates the
     *       name later); both must be a DNS label when {@code nameIsDnsLabel}, else a DNS
     *       subdomain ({@code generateName} may end in '-').
     *   <li>{@code namespace} is required and must be a DNS label when {@code namespaced};
     *       forbidden otherwise.
     *   <li>{@code labels}: qualified-name keys, valid label values.
     *   <li>{@code annotations}: qualified-name keys (case-insensitive), total size at most
     *       256 KiB.
     *   <li>{@code finalizers}: qualified names, no duplicates; {@code generation} non-negative.
     * </ul>
     *
     * @param metadata the {@code metadata} object; null or missing is treated as {}
     * @return the errors, empty when valid; field paths start with {@code metadata.}
     */
    /** How a kind's names are checked: most as DNS subdomains, some as labels, RBAC's as path segments. */
    public enum NameRule { DNS_SUBDOMAIN, DNS_LABEL, PATH_SEGMENT }

    public static List<FieldError> validateObjectMeta(JsonNode metadata, boolean namespaced, boolean nameIsDnsLabel) {
        return validateObjectMeta(metadata, namespaced, nameIsDnsLabel ? NameRule.DNS_LABEL : NameRule.DNS_SUBDOMAIN);
    }

    public static List<FieldError> validateObjectMeta(JsonNode metadata, boolean namespaced, NameRule nameRule) {
        List<FieldError> errs = new ArrayList<>();
        if (metadata != null && !metadata.isNull() && !metadata.isMissingNode() && !metadata.isObject()) {
            errs.add(FieldError.typeInvalid("metadata", metadata.toString(), "must be an object"));
            return errs;
        }
        JsonNode meta = metadata == null ? MissingNode.getInstance() : metadata;

        String generateName = string(meta, "generateName", "metadata.generateName", errs);
        String name = string(meta, "name", "metadata.name", errs);
        if (!generateName.isEmpty()) {
            for (String msg : nameErrors(generateName, true, nameRule)) {
                errs.add(FieldError.invalid("metadata.generateName", generateName, msg));
            }
        }
        if (name.isEmpty()) {
            if (generateName.isEmpty()) {
                errs.add(FieldError.required("metadata.name", "name or generateName is required"));
            }
        } else {
            for (String msg : nameErrors(name, false, nameRule)) {
                errs.add(FieldError.invalid("metadata.name", name, msg));
            }
        }

        String namespace = string(meta, "namespace", "metadata.namespace", errs);
        if (namespaced) {
            if (namespace.isEmpty()) {
                errs.add(FieldError.required("metadata.namespace", ""));
            } else {
                for (String msg : Names.objectNameDnsLabel(namespace, false)) {
                    errs.add(FieldError.invalid("metadata.namespace", namespace, msg));
                }
            }
        } else if (!namespace.isEmpty()) {
            errs.add(FieldError.forbidden("metadata.namespace", "not allowed on this type"));
        }

        JsonNode generation = meta.get("generation");
        if (generation != null && generation.isNumber() && generation.asLong() < 0) {
            errs.add(FieldError.invalid("metadata.generation", generation.asLong(), "must be greater than or equal to 0"));
        }

        errs.addAll(validateLabels(meta.get("labels"), "metadata.labels"));
        errs.addAll(validateAnnotations(meta.get("annotations"), "metadata.annotations"));
        errs.addAll(validateFinalizers(meta.get("finalizers"), "metadata.finalizers"));
        errs.addAll(validateOwnerReferences(meta.get("ownerReferences"), "metadata.ownerReferences"));
        return errs;
    }

    /**
     * Owner references ({@code ValidateOwnerReferences}): apiVersion, kind, name and uid are
     * required, and at most one reference is the controller. A reference without them would
     * be stored, and typed clients would fail to list its namespace.
     */
    public static List<FieldError> validateOwnerReferences(JsonNode references, String field) {
        List<FieldError> errs = new ArrayList<>();
        if (references == null || !references.isArray()) {
            return errs;
        }
        int controllers = 0;
        for (int i = 0; i < references.size(); i++) {
            JsonNode ref = references.get(i);
            String at = field + "[" + i + "]";
            requiredText(ref, "apiVersion", at, "version must not be empty", errs);
            requiredText(ref, "kind", at, "kind must not be empty", errs);
            requiredText(ref, "name", at, "name must not be empty", errs);
            requiredText(ref, "uid", at, "uid must not be empty", errs);
            if (ref.path("controller").asBoolean(false)) {
                controllers++;
            }
        }
        if (controllers > 1) {
            errs.add(FieldError.invalid(field, references.toString(),
                    "Only one reference can have Controller set to true. Found \"true\" in references for "
                            + controllers + " references"));
        }
        return errs;
    }

    private static void requiredText(JsonNode ref, String member, String at, String detail, List<FieldError> errs) {
        if (ref.path(member).asText("").isEmpty()) {
            errs.add(FieldError.invalid(at + "." + member, "", detail));
        }
    }

    /**
     * Validates metadata on update: everything {@link #validateObjectMeta} checks on the new
     * metadata, plus Kubernetes' immutability of {@code name}, {@code namespace}, {@code uid} and
     * {@code creationTimestamp}. A field absent from {@code newMetadata} is not compared (the
     * server fills it from the old object).
     */
    public static List<FieldError> validateObjectMetaUpdate(JsonNode newMetadata, JsonNode oldMetadata,
            boolean namespaced, boolean nameIsDnsLabel) {
        List<FieldError> errs = new ArrayList<>(validateObjectMeta(newMetadata, namespaced, nameIsDnsLabel));
        if (newMetadata == null || !newMetadata.isObject() || oldMetadata == null || !oldMetadata.isObject()) {
            return errs;
        }
        for (String f : List.of("name", "namespace", "uid", "creationTimestamp")) {
            JsonNode now = newMetadata.get(f);
            JsonNode before = oldMetadata.get(f);
            if (now != null && !now.isNull() && before != null && !now.equals(before)) {
                errs.add(FieldError.invalid("metadata." + f, now.isTextual() ? now.textValue() : now.toString(),
                        "field is immutable"));
            }
        }
        return errs;
    }

    /** Labels map: keys are qualified names, values valid label values. */
    public static List<FieldError> validateLabels(JsonNode labels, String field) {
        List<FieldError> errs = new ArrayList<>();
        for (Map.Entry<String, String> e : stringMap(labels, field, errs)) {
            for (String msg : Names.labelKey(e.getKey())) {
                errs.add(FieldError.invalid(field, e.getKey(), msg));
            }
            for (String msg : Names.labelValue(e.getValue())) {
                errs.add(FieldError.invalid(field, e.getValue(), msg));
            }
        }
        return errs;
    }

    /** Annotations map: keys are qualified names ignoring case; total size at most 256 KiB. */
    public static List<FieldError> validateAnnotations(JsonNode annotations, String field) {
        List<FieldError> errs = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, String> e : stringMap(annotations, field, errs)) {
            for (String msg : Names.annotationKey(e.getKey())) {
                errs.add(FieldError.invalid(field, e.getKey(), msg));
            }
            total += Names.byteLength(e.getKey()) + Names.byteLength(e.getValue());
        }
        if (total > TOTAL_ANNOTATION_SIZE_LIMIT_BYTES) {
            errs.add(FieldError.tooLong(field, "", TOTAL_ANNOTATION_SIZE_LIMIT_BYTES));
        }
        return errs;
    }

    /** Finalizers: each a qualified name, no duplicates. */
    public static List<FieldError> validateFinalizers(JsonNode finalizers, String field) {
        List<FieldError> errs = new ArrayList<>();
        if (finalizers == null || finalizers.isNull()) {
            return errs;
        }
        if (!finalizers.isArray()) {
            errs.add(FieldError.typeInvalid(field, finalizers.toString(), "must be a list of strings"));
            return errs;
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < finalizers.size(); i++) {
            JsonNode f = finalizers.get(i);
            String path = field + "[" + i + "]";
            if (!f.isTextual()) {
                errs.add(FieldError.typeInvalid(path, f.toString(), "must be a string"));
                continue;
            }
            for (String msg : Names.qualifiedName(f.textValue())) {
                errs.add(FieldError.invalid(path, f.textValue(), msg));
            }
            if (!seen.add(f.textValue())) {
                errs.add(FieldError.duplicate(path, f.textValue()));
            }
        }
        return errs;
    }

    private static List<String> nameErrors(String name, boolean prefix, NameRule rule) {
        return switch (rule) {
            case DNS_LABEL -> Names.objectNameDnsLabel(name, prefix);
            case DNS_SUBDOMAIN -> Names.objectNameDnsSubdomain(name, prefix);
            case PATH_SEGMENT -> Names.pathSegmentName(name, prefix);
        };
    }

    /** A string member, "" when absent or null; a non-string is reported and treated as "". */
    private static String string(JsonNode meta, String member, String field, List<FieldError> errs) {
        JsonNode v = meta.get(member);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            errs.add(FieldError.typeInvalid(field, v.toString(), "must be a string"));
            return "";
        }
        return v.textValue();
    }

    /** A map of strings; entries with non-string values are reported and skipped. */
    private static List<Map.Entry<String, String>> stringMap(JsonNode node, String field, List<FieldError> errs) {
        List<Map.Entry<String, String>> entries = new ArrayList<>();
        if (node == null || node.isNull()) {
            return entries;
        }
        if (!node.isObject()) {
            errs.add(FieldError.typeInvalid(field, node.toString(), "must be a map of string to string"));
            return entries;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (e.getValue().isTextual()) {
                entries.add(Map.entry(e.getKey(), e.getValue().textValue()));
            } else {
                errs.add(FieldError.typeInvalid(field + "[" + e.getKey() + "]", e.getValue().toString(), "must be a string"));
            }
        }
        return entries;
    }
}
