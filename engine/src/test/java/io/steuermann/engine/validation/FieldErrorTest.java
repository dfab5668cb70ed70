package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class FieldErrorTest {

    @Test
    void invalidQuotesStringValue() {
        FieldError e = FieldError.invalid("metadata.name", "Foo", "bad");
        assertEquals(new FieldError("metadata.name", "FieldValueInvalid", "Invalid value: \"Foo\": bad", "Foo"), e);
        assertEquals("metadata.name: Invalid value: \"Foo\": bad", e.error());
    }

    @Test
    void invalidRendersNumbersBooleansAndNullPlain() {
        assertEquals("Invalid value: -1: must be greater than or equal to 0",
                FieldError.invalid("spec.replicas", -1L, "must be greater than or equal to 0").message());
        assertEquals("Invalid value: true: x", FieldError.invalid("f", true, "x").message());
        assertEquals("Invalid value: null: x", FieldError.invalid("f", null, "x").message());
    }

    @Test
    void quotingEscapesLikeGo() {
        assertEquals("Invalid value: \"a\\\"b\\\\c\\nd\\x01\": x",
                FieldError.invalid("f", "a\"b\\c\nd\u0001", "x").message());
    }

    @Test
    void required() {
        assertEquals("Required value", FieldError.required("metadata.namespace", "").message());
        assertEquals("Required value: name or generateName is required",
                FieldError.required("metadata.name", "name or generateName is required").message());
        assertEquals("FieldValueRequired", FieldError.required("x", null).type());
    }

    @Test
    void forbidden() {
        FieldError e = FieldError.forbidden("metadata.namespace", "not allowed on this type");
        assertEquals("Forbidden: not allowed on this type", e.message());
        assertEquals("FieldValueForbidden", e.type());
    }

    @Test
    void duplicate() {
        FieldError e = FieldError.duplicate("spec.containers[1].name", "app");
        assertEquals("Duplicate value: \"app\"", e.message());
        assertEquals("FieldValueDuplicate", e.type());
    }

    @Test
    void notSupported() {
        FieldError e = FieldError.notSupported("spec.restartPolicy", "X", List.of("Always", "OnFailure", "Never"));
        assertEquals("Unsupported value: \"X\": supported values: \"Always\", \"OnFailure\", \"Never\"", e.message());
        assertEquals("FieldValueNotSupported", e.type());
        assertEquals("Unsupported value: \"X\"", FieldError.notSupported("f", "X", List.of()).message());
    }

    @Test
    void tooLongDoesNotEchoValue() {
        FieldError e = FieldError.tooLong("metadata.annotations", "huge", 262144);
        assertEquals("Too long: may not be more than 262144 bytes", e.message());
        assertEquals("FieldValueTooLong", e.type());
    }

    @Test
    void otherTypes() {
        assertEquals("Too many: 5: must have at most 3 items", FieldError.tooMany("f", 5, 3).message());
        assertEquals("Not found: \"x\"", FieldError.notFound("f", "x").message());
        assertEquals("Internal error: boom", FieldError.internal("f", "boom").message());
    }

    @Test
    void toCauseIsStatusDetailsCause() throws Exception {
        FieldError e = FieldError.invalid("metadata.name", "Foo", "bad");
        assertEquals(new ObjectMapper().readTree(
                "{\"reason\":\"FieldValueInvalid\",\"message\":\"Invalid value: \\\"Foo\\\": bad\",\"field\":\"metadata.name\"}"),
                e.toCause());
    }

    @Test
    void summarizeLikeKubernetesAggregate() {
        FieldError a = FieldError.required("metadata.name", "");
        FieldError b = FieldError.forbidden("metadata.namespace", "no");
        assertEquals("metadata.name: Required value", FieldError.summarize(List.of(a)));
        assertEquals("[metadata.name: Required value, metadata.namespace: Forbidden: no]",
                FieldError.summarize(List.of(a, b, a)));
    }

    @Test
    void underPrefixesField() {
        assertEquals("spec.template.metadata.name", FieldError.required("metadata.name", "").under("spec.template").field());
        assertEquals("spec", FieldError.required("", "").under("spec").field());
    }
}
