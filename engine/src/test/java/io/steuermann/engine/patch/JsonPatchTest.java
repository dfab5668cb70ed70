package io.steuermann.engine.patch;

import static io.steuermann.engine.patch.JsonMergePatchTest.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPatchTest {

    private static JsonNode apply(String target, String patch) {
        return JsonPatch.apply(json(target), json(patch));
    }

    private static String failure(String target, String patch) {
        return assertThrows(PatchException.class, () -> apply(target, patch)).getMessage();
    }

    /** RFC 6902 Appendix A. */
    @Nested
    class RfcExamples {

        @Test
        void a1AddingAnObjectMember() {
            assertEquals(json("{\"baz\":\"qux\",\"foo\":\"bar\"}"),
                    apply("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]"));
        }

        @Test
        void a2AddingAnArrayElement() {
            assertEquals(json("{\"foo\":[\"bar\",\"qux\",\"baz\"]}"),
                    apply("{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]"));
        }

        @Test
        void a3RemovingAnObjectMember() {
            assertEquals(json("{\"foo\":\"bar\"}"),
                    apply("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]"));
        }

        @Test
        void a4RemovingAnArrayElement() {
            assertEquals(json("{\"foo\":[\"bar\",\"baz\"]}"),
                    apply("{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]"));
        }

        @Test
        void a5ReplacingAValue() {
            assertEquals(json("{\"baz\":\"boo\",\"foo\":\"bar\"}"),
                    apply("{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]"));
        }

        @Test
        void a6MovingAValue() {
            assertEquals(json("{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}"),
                    apply("{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
                            "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]"));
        }

        @Test
        void a7MovingAnArrayElement() {
            assertEquals(json("{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}"),
                    apply("{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
                            "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]"));
        }

        @Test
        void a8TestingAValueSuccess() {
            String doc = "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}";
            assertEquals(json(doc), apply(doc,
                    "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]"));
        }

        @Test
        void a9TestingAValueError() {
            assertEquals("op 0 (test): test failed at path /baz: expected \"bar\" but found \"qux\"",
                    failure("{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]"));
        }

        @Test
        void a10AddingANestedMemberObject() {
            assertEquals(json("{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}"),
                    apply("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]"));
        }

        @Test
        void a11IgnoringUnrecognizedElements() {
            assertEquals(json("{\"foo\":\"bar\",\"baz\":\"qux\"}"),
                    apply("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]"));
        }

        @Test
        void a12AddingToANonexistentTarget() {
            assertEquals("op 0 (add): path /baz/bat does not exist (missing parent /baz)",
                    failure("{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]"));
        }

        @Test
        void a14TildeEscapeOrdering() {
            String doc = "{\"/\":9,\"~1\":10}";
            assertEquals(json(doc), apply(doc, "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]"));
        }

        @Test
        void a15ComparingStringsAndNumbers() {
            assertEquals("op 0 (test): test failed at path /~01: expected \"10\" but found 10",
                    failure("{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]"));
        }

        @Test
        void a16AddingAnArrayValue() {
            assertEquals(json("{\"foo\":[\"bar\",[\"abc\",\"def\"]]}"),
                    apply("{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]"));
        }
    }

    /** RFC 6901 section 5: every example pointer, checked with a "test" operation. */
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiterString = "=>", quoteCharacter = '\'', textBlock = """
            ''          => {"foo":["bar","baz"],"":0,"a/b":1,"c%d":2,"e^f":3,"g|h":4,"i\\\\j":5,"k\\"l":6," ":7,"m~n":8}
            /foo        => ["bar","baz"]
            /foo/0      => "bar"
            /           => 0
            /a~1b       => 1
            /c%d        => 2
            /e^f        => 3
            /g|h        => 4
            /i\\j       => 5
            /k"l        => 6
            '/ '        => 7
            /m~0n       => 8
            """)
    void rfc6901Pointers(String pointer, String expected) {
        ObjectNode doc = (ObjectNode) json("{\"foo\":[\"bar\",\"baz\"],\"\":0,\"a/b\":1,\"c%d\":2,\"e^f\":3,"
                + "\"g|h\":4,\"i\\\\j\":5,\"k\\\"l\":6,\" \":7,\"m~n\":8}");
        ObjectNode op = doc.objectNode().put("op", "test").put("path", pointer);
        op.set("value", json(expected));
        assertEquals(doc, JsonPatch.apply(doc, doc.arrayNode().add(op)));
    }

    @Nested
    class Operations {

        @Test
        void addReplacesAnExistingMember() {
            assertEquals(json("{\"a\":2}"), apply("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":2}]"));
        }

        @Test
        void addAtArrayEndIndexAppends() {
            assertEquals(json("[1,2,3]"), apply("[1,2]", "[{\"op\":\"add\",\"path\":\"/2\",\"value\":3}]"));
        }

        @Test
        void addBeyondArrayEndFails() {
            assertEquals("op 0 (add): path /3: index 3 is out of bounds (array size 2)",
                    failure("[1,2]", "[{\"op\":\"add\",\"path\":\"/3\",\"value\":3}]"));
        }

        @Test
        void arrayIndexWithLeadingZeroIsRejected() {
            assertEquals("op 0 (add): path /01: '01' is not a valid array index",
                    failure("[1,2]", "[{\"op\":\"add\",\"path\":\"/01\",\"value\":3}]"));
            assertEquals("op 0 (remove): path /01 does not exist",
                    failure("[1,2]", "[{\"op\":\"remove\",\"path\":\"/01\"}]"));
        }

        @Test
        void addNullValueIsAllowed() {
            assertEquals(json("{\"a\":null}"), apply("{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":null}]"));
        }

        @Test
        void addAtRootReplacesDocument() {
            assertEquals(json("[1]"), apply("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"\",\"value\":[1]}]"));
        }

        @Test
        void replaceAtRootReplacesDocument() {
            assertEquals(json("{\"b\":2}"), apply("{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":{\"b\":2}}]"));
        }

        @Test
        void removeRootIsRejected() {
            assertEquals("op 0 (remove): cannot remove the whole document",
                    failure("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"\"}]"));
        }

        @Test
        void removeMissingMemberNamesIndexOpAndPath() {
            assertEquals("op 2 (remove): path /spec/foo does not exist", failure("{\"spec\":{}}", """
                    [{"op":"add","path":"/spec/a","value":1},
                     {"op":"test","path":"/spec/a","value":1},
                     {"op":"remove","path":"/spec/foo"}]"""));
        }

        @Test
        void removeDashIsNotAnElement() {
            assertEquals("op 0 (remove): path /a/- does not exist",
                    failure("{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/-\"}]"));
        }

        @Test
        void replaceMissingMemberFails() {
            assertEquals("op 0 (replace): path /spec/replicas does not exist",
                    failure("{\"spec\":{}}", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]"));
        }

        @Test
        void replaceArrayElement() {
            assertEquals(json("{\"a\":[1,9,3]}"),
                    apply("{\"a\":[1,2,3]}", "[{\"op\":\"replace\",\"path\":\"/a/1\",\"value\":9}]"));
        }

        @Test
        void traversingIntoAScalarFails() {
            assertEquals("op 0 (add): path /a/b does not exist (/a is not an object or array)",
                    failure("{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/a/b\",\"value\":1}]"));
        }

        @Test
        void moveIntoOwnChildIsRejected() {
            assertEquals("op 0 (move): cannot move /a into its own child /a/b",
                    failure("{\"a\":{}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/b\"}]"));
        }

        @Test
        void moveToSameLocationIsNoOp() {
            assertEquals(json("{\"a\":1}"), apply("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a\"}]"));
        }

        @Test
        void moveFromMissingFails() {
            assertEquals("op 0 (move): from /x does not exist",
                    failure("{\"a\":1}", "[{\"op\":\"move\",\"from\":\"/x\",\"path\":\"/b\"}]"));
        }

        @Test
        void copyIsDeepSoLaterOpsDoNotAlias() {
            assertEquals(json("{\"a\":{\"k\":1},\"b\":{\"k\":1,\"x\":2}}"), apply("{\"a\":{\"k\":1}}", """
                    [{"op":"copy","from":"/a","path":"/b"},{"op":"add","path":"/b/x","value":2}]"""));
        }

        @Test
        void copyArrayElementToEnd() {
            assertEquals(json("[1,2,1]"), apply("[1,2]", "[{\"op\":\"copy\",\"from\":\"/0\",\"path\":\"/-\"}]"));
        }

        @Test
        void testComparesNumbersByValueAndObjectsIgnoringOrder() {
            String doc = "{\"n\":1,\"o\":{\"a\":1,\"b\":[1.5,true,null]}}";
            assertEquals(json(doc), apply(doc, """
                    [{"op":"test","path":"/n","value":1.0},
                     {"op":"test","path":"/o","value":{"b":[1.50,true,null],"a":1}}]"""));
        }

        @Test
        void testDistinguishesArrayOrderAndNullFromMissing() {
            assertThrows(PatchException.class,
                    () -> apply("{\"a\":[1,2]}", "[{\"op\":\"test\",\"path\":\"/a\",\"value\":[2,1]}]"));
            assertEquals("op 0 (test): path /b does not exist",
                    failure("{\"a\":null}", "[{\"op\":\"test\",\"path\":\"/b\",\"value\":null}]"));
        }

        @Test
        void kubectlStyleScaleAndLabel() {
            assertEquals(json("{\"metadata\":{\"labels\":{\"a/b\":\"x\"}},\"spec\":{\"replicas\":5}}"),
                    apply("{\"metadata\":{\"labels\":{}},\"spec\":{\"replicas\":1}}", """
                            [{"op":"replace","path":"/spec/replicas","value":5},
                             {"op":"add","path":"/metadata/labels/a~1b","value":"x"}]"""));
        }
    }

    @Nested
    class Atomicity {

        @Test
        void failureLeavesTargetUntouchedAndReturnsNothingPartial() {
            JsonNode target = json("{\"a\":1,\"list\":[1,2]}");
            JsonNode before = target.deepCopy();
            PatchException e = assertThrows(PatchException.class, () -> JsonPatch.apply(target, json("""
                    [{"op":"add","path":"/b","value":2},
                     {"op":"remove","path":"/list/0"},
                     {"op":"test","path":"/a","value":42}]""")));
            assertEquals("op 2 (test): test failed at path /a: expected 42 but found 1", e.getMessage());
            assertEquals(before, target);
        }

        @Test
        void successDoesNotMutateInputsOrAliasValues() {
            JsonNode target = json("{\"a\":{\"k\":1}}");
            JsonNode patch = json("[{\"op\":\"add\",\"path\":\"/b\",\"value\":{\"v\":1}}]");
            JsonNode targetBefore = target.deepCopy();
            JsonNode patchBefore = patch.deepCopy();
            JsonNode result = JsonPatch.apply(target, patch);
            ((ObjectNode) result.get("a")).put("k", 2);
            ((ObjectNode) result.get("b")).put("v", 2);
            assertEquals(targetBefore, target);
            assertEquals(patchBefore, patch);
        }

        @Test
        void malformedLaterOperationRejectsBeforeApplyingAnything() {
            assertEquals("op 1: unknown operation \"frob\" (expected one of add, remove, replace, move, copy, test)",
                    failure("{}", "[{\"op\":\"add\",\"path\":\"/a\",\"value\":1},{\"op\":\"frob\",\"path\":\"/a\"}]"));
        }
    }

    @Nested
    class MalformedPatch {

        @Test
        void notAnArray() {
            assertEquals("patch document must be a JSON array of operations, got object",
                    failure("{}", "{\"op\":\"add\"}"));
            assertThrows(PatchException.class, () -> JsonPatch.apply(json("{}"), null));
        }

        @Test
        void operationNotAnObject() {
            assertEquals("op 0: operation must be a JSON object", failure("{}", "[1]"));
        }

        @Test
        void missingOp() {
            assertEquals("op 0: missing required member 'op'", failure("{}", "[{\"path\":\"/a\"}]"));
        }

        @Test
        void missingPath() {
            assertEquals("op 0 (remove): missing required member 'path'", failure("{}", "[{\"op\":\"remove\"}]"));
        }

        @Test
        void missingValue() {
            assertEquals("op 0 (add): missing required member 'value'", failure("{}", "[{\"op\":\"add\",\"path\":\"/a\"}]"));
            assertEquals("op 0 (test): missing required member 'value'", failure("{}", "[{\"op\":\"test\",\"path\":\"/a\"}]"));
        }

        @Test
        void missingFrom() {
            assertEquals("op 0 (copy): missing required member 'from'", failure("{}", "[{\"op\":\"copy\",\"path\":\"/a\"}]"));
        }

        @Test
        void nonStringPath() {
            assertEquals("op 0 (remove): member 'path' must be a string", failure("{}", "[{\"op\":\"remove\",\"path\":1}]"));
        }

        @Test
        void pointerWithoutLeadingSlash() {
            assertEquals("op 0 (remove): invalid JSON pointer 'a' in 'path': must be empty or start with '/'",
                    failure("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]"));
        }

        @Test
        void pointerWithBadEscape() {
            assertEquals("op 0 (remove): invalid JSON pointer '/a~2' in 'path': invalid escape '~' at position 2"
                            + " (only ~0 and ~1 are allowed)",
                    failure("{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/a~2\"}]"));
        }

        @Test
        void unknownOpNonString() {
            assertEquals("op 0: unknown operation 5 (expected one of add, remove, replace, move, copy, test)",
                    failure("{}", "[{\"op\":5,\"path\":\"/a\"}]"));
        }

        @Test
        void emptyPatchIsIdentity() {
            assertEquals(json("{\"a\":1}"), apply("{\"a\":1}", "[]"));
        }
    }
}
