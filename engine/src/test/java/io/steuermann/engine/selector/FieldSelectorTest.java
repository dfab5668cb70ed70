package io.steuermann.engine.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FieldSelectorTest {

    private static JsonNode json(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final JsonNode RUNNING_POD = json("""
            {"metadata":{"name":"web-1","namespace":"default"},"spec":{"nodeName":"node-a"},"status":{"phase":"Running"}}""");
    private static final JsonNode PENDING_POD = json("""
            {"metadata":{"name":"web-2","namespace":"prod"},"spec":{},"status":{"phase":"Pending"}}""");
    private static final JsonNode EVENT = json("""
            {"metadata":{"name":"e1","namespace":"default"},"type":"Warning","reason":"BackOff",
             "involvedObject":{"kind":"Pod","name":"web-1","namespace":"default"}}""");

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            ''                                         | true  | true
            metadata.name=web-1                        | true  | false
            metadata.name==web-1                       | true  | false
            metadata.name!=web-1                       | false | true
            status.phase=Running,spec.nodeName=node-a  | true  | false
            status.phase!=Running,status.phase!=Failed | false | true
            spec.nodeName=                             | false | true
            spec.nodeName!=                            | true  | false
            metadata.namespace=default                 | true  | false
            ' metadata.namespace = prod '              | false | true
            metadata.name=web-1,,                      | true  | false
            """)
    void matchesPods(String selector, boolean running, boolean pending) {
        FieldSelector s = FieldSelector.parse(selector);
        assertEquals(running, s.matches(RUNNING_POD), "running pod");
        assertEquals(pending, s.matches(PENDING_POD), "pending pod");
    }

    @Test
    void eventFields() {
        assertTrue(FieldSelector.parse("involvedObject.kind=Pod,involvedObject.name=web-1,"
                + "involvedObject.namespace=default,reason=BackOff,type=Warning").matches(EVENT));
        assertFalse(FieldSelector.parse("type=Normal").matches(EVENT));
        assertTrue(FieldSelector.parse("type=").matches(RUNNING_POD), "missing field reads as empty string");
    }

    @Test
    void theFieldsKubectlEventsForSendsAndDerivedOnes() {
        JsonNode event = json("{\"involvedObject\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"name\":\"web-1\","
                + "\"uid\":\"u1\"},\"source\":{\"component\":\"kubelet\"},\"reportingComponent\":\"kubelet\"}");
        assertTrue(FieldSelector.parse("involvedObject.kind=Pod,involvedObject.apiVersion=v1,involvedObject.name=web-1")
                .matches(event));
        assertFalse(FieldSelector.parse("involvedObject.apiVersion=apps/v1").matches(event));
        assertTrue(FieldSelector.parse("source=kubelet,involvedObject.uid=u1,reportingComponent=kubelet").matches(event));
        // booleans read "false" when absent
        assertTrue(FieldSelector.parse("spec.hostNetwork=false").matches(json("{\"spec\":{}}")));
        assertTrue(FieldSelector.parse("spec.unschedulable=true").matches(json("{\"spec\":{\"unschedulable\":true}}")));
        assertFalse(FieldSelector.parse("spec.unschedulable=true").matches(json("{\"spec\":{}}")));
    }

    @Test
    void unsupportedField() {
        assertEquals("field label not supported: spec.replicas",
                assertThrows(SelectorException.class, () -> FieldSelector.parse("spec.replicas=3")).getMessage());
        assertEquals("field label not supported: metadata.labels",
                assertThrows(SelectorException.class, () -> FieldSelector.parse("metadata.name=a,metadata.labels!=x")).getMessage());
    }

    @Test
    void termWithoutOperator() {
        assertEquals("invalid selector: 'metadata.name=a,status.phase'; can't understand 'status.phase'",
                assertThrows(SelectorException.class, () -> FieldSelector.parse("metadata.name=a,status.phase")).getMessage());
    }

    @Test
    void escapedValues() {
        FieldSelector s = FieldSelector.parse("metadata.name=a\\,b\\=c\\\\d");
        assertEquals("a,b=c\\d", s.terms().get(0).value());
        assertTrue(s.matches(json("{\"metadata\":{\"name\":\"a,b=c\\\\d\"}}")));
        assertEquals("metadata.name=a\\,b\\=c\\\\d", s.toString());
        assertEquals("invalid field selector: invalid escape sequence: \\x",
                assertThrows(SelectorException.class, () -> FieldSelector.parse("metadata.name=a\\x")).getMessage());
        assertEquals("invalid field selector: unescaped character in value: =",
                assertThrows(SelectorException.class, () -> FieldSelector.parse("metadata.name=a=b")).getMessage());
    }

    @Test
    void canonicalString() {
        FieldSelector s = FieldSelector.parse("status.phase==Running, metadata.name!=x");
        assertEquals("metadata.name!=x,status.phase=Running", s.toString());
        assertEquals(s, FieldSelector.parse(s.toString()));
        assertEquals("", FieldSelector.parse("").toString());
        assertTrue(FieldSelector.parse("").isEmpty());
    }

    @Test
    void requiresExactMatch() {
        FieldSelector s = FieldSelector.parse("spec.nodeName=node-a,status.phase!=Failed");
        assertEquals(Optional.of("node-a"), s.requiresExactMatch("spec.nodeName"));
        assertEquals(Optional.empty(), s.requiresExactMatch("status.phase"));
        assertEquals(Optional.empty(), s.requiresExactMatch("metadata.name"));
    }

    @Test
    void nonStringFieldValuesCompareAsText() {
        assertTrue(FieldSelector.parse("status.phase=3").matches(json("{\"status\":{\"phase\":3}}")));
        assertTrue(FieldSelector.parse("status.phase=").matches(json("{\"status\":{\"phase\":{\"x\":1}}}")));
        assertTrue(FieldSelector.parse("status.phase=").matches(json("{\"status\":null}")));
    }
}
