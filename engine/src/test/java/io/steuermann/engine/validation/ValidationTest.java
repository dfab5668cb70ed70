package io.steuermann.engine.validation;

import static io.steuermann.engine.validation.NamesTest.LABEL_ERR;
import static io.steuermann.engine.validation.NamesTest.LABEL_VALUE_ERR;
import static io.steuermann.engine.validation.NamesTest.NAME_PART_ERR;
import static io.steuermann.engine.validation.NamesTest.SUBDOMAIN_ERR;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValidationTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<FieldError> namespaced(String meta) {
        return Validation.validateObjectMeta(json(meta), true, false);
    }

    @Test
    void validNamespacedObject() {
        assertEquals(List.of(), namespaced("""
                {"name":"web-1.v2","namespace":"default","labels":{"app.kubernetes.io/name":"web","empty":""},
                 "annotations":{"Example.com/Note":"anything goes here: !@#"},"finalizers":["example.com/cleanup"],
                 "generation":3}"""));
    }

    @Test
    void nameRequiredUnlessGenerateName() {
        FieldError required = FieldError.required("metadata.name", "name or generateName is required");
        assertEquals(List.of(required), namespaced("{\"namespace\":\"ns\"}"));
        assertEquals(List.of(required), namespaced("{\"name\":\"\",\"namespace\":\"ns\"}"));
        assertEquals(List.of(), namespaced("{\"generateName\":\"web-\",\"namespace\":\"ns\"}"));
    }

    @Test
    void missingMetadataReportsNameAndNamespace() {
        assertEquals(List.of(FieldError.required("metadata.name", "name or generateName is required"),
                FieldError.required("metadata.namespace", "")), Validation.validateObjectMeta(null, true, false));
    }

    @Test
    void invalidNameHasKubernetesCauseMessage() {
        List<FieldError> errs = namespaced("{\"name\":\"Foo\",\"namespace\":\"ns\"}");
        assertEquals(1, errs.size());
        assertEquals("metadata.name", errs.get(0).field());
        assertEquals("FieldValueInvalid", errs.get(0).type());
        assertEquals("Invalid value: \"Foo\": " + SUBDOMAIN_ERR, errs.get(0).message());
    }

    @Test
    void dnsLabelNames() {
        assertEquals(List.of(FieldError.invalid("metadata.name", "a.b", "must not contain dots")),
                Validation.validateObjectMeta(json("{\"name\":\"a.b\"}"), false, true));
        assertEquals(List.of(FieldError.invalid("metadata.generateName", "Web-", LABEL_ERR)),
                Validation.validateObjectMeta(json("{\"generateName\":\"Web-\"}"), false, true));
    }

    @Test
    void namespaceRules() {
        assertEquals(List.of(FieldError.required("metadata.namespace", "")), namespaced("{\"name\":\"a\"}"));
        assertEquals(List.of(FieldError.invalid("metadata.namespace", "my.ns", "must not contain dots")),
                namespaced("{\"name\":\"a\",\"namespace\":\"my.ns\"}"));
        assertEquals(List.of(FieldError.forbidden("metadata.namespace", "not allowed on this type")),
                Validation.validateObjectMeta(json("{\"name\":\"n1\",\"namespace\":\"ns\"}"), false, false));
    }

    @Test
    void labelKeysAndValues() {
        List<FieldError> errs = namespaced("""
                {"name":"a","namespace":"ns","labels":{"-bad":"ok","good":"bad value"}}""");
        assertEquals(List.of(FieldError.invalid("metadata.labels", "-bad", NAME_PART_ERR),
                FieldError.invalid("metadata.labels", "bad value", LABEL_VALUE_ERR)), errs);
    }

    @Test
    void labelValueMustBeString() {
        assertEquals(List.of(FieldError.typeInvalid("metadata.labels[n]", "1", "must be a string")),
                namespaced("{\"name\":\"a\",\"namespace\":\"ns\",\"labels\":{\"n\":1}}"));
    }

    @Test
    void annotationKeysAndTotalSize() {
        assertEquals(List.of(FieldError.invalid("metadata.annotations", "a b", NAME_PART_ERR)),
                namespaced("{\"name\":\"a\",\"namespace\":\"ns\",\"annotations\":{\"a b\":\"x\"}}"));

        ObjectNode meta = (ObjectNode) json("{\"name\":\"a\",\"namespace\":\"ns\"}");
        ObjectNode annotations = meta.putObject("annotations");
        annotations.put("k", "v".repeat(256 * 1024 - 1)); // exactly at the limit
        assertEquals(List.of(), Validation.validateObjectMeta(meta, true, false));
        annotations.put("k", "v".repeat(256 * 1024));
        assertEquals(List.of(new FieldError("metadata.annotations", "FieldValueTooLong",
                "Too long: may not be more than 262144 bytes", "")), Validation.validateObjectMeta(meta, true, false));
    }

    @Test
    void finalizersAndGeneration() {
        assertEquals(List.of(FieldError.invalid("metadata.generation", -1L, "must be greater than or equal to 0"),
                        FieldError.invalid("metadata.finalizers[0]", "a b", NAME_PART_ERR),
                        FieldError.duplicate("metadata.finalizers[2]", "x/y")),
                namespaced("{\"name\":\"a\",\"namespace\":\"ns\",\"finalizers\":[\"a b\",\"x/y\",\"x/y\"],\"generation\":-1}"));
    }

    @Test
    void wrongTypes() {
        assertEquals(List.of(FieldError.typeInvalid("metadata", "[]", "must be an object")),
                Validation.validateObjectMeta(json("[]"), true, false));
        assertEquals(List.of(FieldError.typeInvalid("metadata.name", "5", "must be a string"),
                        FieldError.required("metadata.name", "name or generateName is required")),
                Validation.validateObjectMeta(json("{\"name\":5}"), false, false));
    }

    @Test
    void doesNotMutateInput() {
        JsonNode meta = json("{\"name\":\"Bad\",\"labels\":{\"a\":\"b\"}}");
        JsonNode before = meta.deepCopy();
        Validation.validateObjectMeta(meta, true, true);
        assertEquals(before, meta);
    }

    @Test
    void updateRejectsChangesToImmutableFields() {
        JsonNode old = json("{\"name\":\"a\",\"namespace\":\"ns\",\"uid\":\"u1\",\"creationTimestamp\":\"2024-01-01T00:00:00Z\"}");
        assertEquals(List.of(), Validation.validateObjectMetaUpdate(
                json("{\"name\":\"a\",\"namespace\":\"ns\",\"uid\":\"u1\",\"labels\":{\"x\":\"y\"}}"), old, true, false));
        assertEquals(List.of(FieldError.invalid("metadata.name", "b", "field is immutable"),
                        FieldError.invalid("metadata.uid", "u2", "field is immutable")),
                Validation.validateObjectMetaUpdate(json("{\"name\":\"b\",\"namespace\":\"ns\",\"uid\":\"u2\"}"), old, true, false));
    }
}
