package io.steuermann.engine.patch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonMergePatchTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** RFC 7386 Appendix A, every row. */
    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
            {"a":"b"}                 | {"a":"c"}                       | {"a":"c"}
            {"a":"b"}                 | {"b":"c"}                       | {"a":"b","b":"c"}
            {"a":"b"}                 | {"a":null}                      | {}
            {"a":"b","b":"c"}         | {"a":null}                      | {"b":"c"}
            {"a":["b"]}               | {"a":"c"}                       | {"a":"c"}
            {"a":"c"}                 | {"a":["b"]}                     | {"a":["b"]}
            {"a":{"b":"c"}}           | {"a":{"b":"d","c":null}}        | {"a":{"b":"d"}}
            {"a":[{"b":"c"}]}         | {"a":[1]}                       | {"a":[1]}
            ["a","b"]                 | ["c","d"]                       | ["c","d"]
            {"a":"b"}                 | ["c"]                           | ["c"]
            {"a":"foo"}               | null                            | null
            {"a":"foo"}               | "bar"                           | "bar"
            {"e":null}                | {"a":1}                         | {"e":null,"a":1}
            [1,2]                     | {"a":"b","c":null}              | {"a":"b"}
            {}                        | {"a":{"bb":{"ccc":null}}}       | {"a":{"bb":{}}}
            """)
    void rfc7386AppendixA(String target, String patch, String expected) {
        assertEquals(json(expected), JsonMergePatch.apply(json(target), json(patch)));
    }

    @Test
    void rfc7386Section3Example() {
        JsonNode target = json("""
                {"title": "Goodbye!",
                 "author": {"givenName": "John", "familyName": "Doe"},
                 "tags": ["example", "sample"],
                 "content": "This will be unchanged"}""");
        JsonNode patch = json("""
                {"title": "Hello!",
                 "phoneNumber": "+01-123-456-7890",
                 "author": {"familyName": null},
                 "tags": ["example"]}""");
        JsonNode expected = json("""
                {"title": "Hello!",
                 "author": {"givenName": "John"},
                 "tags": ["example"],
                 "content": "This will be unchanged",
                 "phoneNumber": "+01-123-456-7890"}""");
        assertEquals(expected, JsonMergePatch.apply(target, patch));
    }

    @Test
    void kubectlLabelStylePatch() {
        JsonNode pod = json("""
                {"metadata":{"name":"p","labels":{"app":"web","tier":"fe"}},"spec":{"containers":[{"name":"c"}]}}""");
        JsonNode result = JsonMergePatch.apply(pod, json("""
                {"metadata":{"labels":{"tier":null,"env":"prod"}}}"""));
        assertEquals(json("""
                {"metadata":{"name":"p","labels":{"app":"web","env":"prod"}},"spec":{"containers":[{"name":"c"}]}}"""), result);
    }

    @Test
    void doesNotMutateInputsOrShareNodes() {
        JsonNode target = json("{\"a\":{\"b\":1},\"c\":[1]}");
        JsonNode patch = json("{\"a\":{\"x\":{\"y\":2}},\"c\":null}");
        JsonNode targetBefore = target.deepCopy();
        JsonNode patchBefore = patch.deepCopy();

        JsonNode result = JsonMergePatch.apply(target, patch);
        ((ObjectNode) result.get("a").get("x")).put("mutated", true);
        ((ObjectNode) result.get("a")).put("b", 99);

        assertEquals(targetBefore, target);
        assertEquals(patchBefore, patch);
    }

    @Test
    void missingOrNullTargetIsTreatedAsNoDocument() {
        assertEquals(json("{\"a\":1}"), JsonMergePatch.apply(null, json("{\"a\":1,\"b\":null}")));
        assertEquals(json("{\"a\":1}"), JsonMergePatch.apply(MissingNode.getInstance(), json("{\"a\":1}")));
        assertEquals(json("{\"a\":1}"), JsonMergePatch.apply(json("null"), json("{\"a\":1}")));
    }

    @Test
    void emptyPatchIsIdentity() {
        JsonNode target = json("{\"a\":[1,{\"b\":null}]}");
        assertEquals(target, JsonMergePatch.apply(target, json("{}")));
    }

    @Test
    void javaNullPatchIsRejected() {
        assertThrows(PatchException.class, () -> JsonMergePatch.apply(json("{}"), null));
    }
}
