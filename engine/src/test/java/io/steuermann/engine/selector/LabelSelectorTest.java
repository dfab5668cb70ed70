package io.steuermann.engine.selector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.steuermann.engine.selector.Requirement.Operator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LabelSelectorTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static JsonNode json(String s) {
        try {
            return MAPPER.readTree(s);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static final Map<String, String> PROD_FE = Map.of("env", "prod", "tier", "fe", "partition", "p1");
    private static final Map<String, String> QA_BE = Map.of("env", "qa", "tier", "be");
    private static final Map<String, String> NONE = Map.of();

    private static String error(String selector) {
        return assertThrows(SelectorException.class, () -> LabelSelector.parse(selector)).getMessage();
    }

    @Nested
    class Parsing {

        /** Selector, then whether it matches PROD_FE, QA_BE and an unlabelled object. */
        @ParameterizedTest(name = "[{index}] {0}")
        @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
                ''                          | true  | true  | true
                env=prod                    | true  | false | false
                env==prod                   | true  | false | false
                env!=prod                   | false | true  | true
                env in (prod, qa)           | true  | true  | false
                env in (qa)                 | false | true  | false
                tier notin (fe)             | false | true  | true
                partition                   | true  | false | false
                !partition                  | false | true  | true
                env=prod,tier=fe            | true  | false | false
                env=prod,tier=be            | false | false | false
                env in (prod,qa),!partition | false | true  | false
                '  env = prod ,  tier  '    | true  | false | false
                env notin (prod,qa),tier    | false | false | false
                env=                        | false | false | false
                env!=                       | true  | true  | true
                """)
        void matchesTable(String selector, boolean prodFe, boolean qaBe, boolean none) {
            LabelSelector s = LabelSelector.parse(selector);
            assertEquals(prodFe, s.matches(PROD_FE), "PROD_FE");
            assertEquals(qaBe, s.matches(QA_BE), "QA_BE");
            assertEquals(none, s.matches(NONE), "unlabelled");
        }

        @Test
        void emptyLabelValueSelectsEmptyLabel() {
            assertTrue(LabelSelector.parse("env=").matches(Map.of("env", "")));
            assertTrue(LabelSelector.parse("env in (,prod)").matches(Map.of("env", "")));
        }

        @Test
        void emptyAndBlankSelectEverything() {
            assertTrue(LabelSelector.parse("").isEmpty());
            assertTrue(LabelSelector.parse("   ").isEmpty());
            assertEquals(LabelSelector.everything(), LabelSelector.parse(""));
        }

        @Test
        void requirementsAreExposedSortedByKey() {
            assertEquals(List.of(new Requirement("a", Operator.EXISTS, List.of()),
                            new Requirement("b", Operator.IN, List.of("y", "x")),
                            new Requirement("c", Operator.EQUALS, List.of("1"))),
                    LabelSelector.parse("c==1, b in (x,y), a").requirements());
        }

        @Test
        void keysWithPrefixAndValuesWithDotsAndUnderscores() {
            LabelSelector s = LabelSelector.parse("app.kubernetes.io/name=my_app.v1");
            assertTrue(s.matches(Map.of("app.kubernetes.io/name", "my_app.v1")));
        }

        @Test
        void keywordsAreValidValues() {
            assertTrue(LabelSelector.parse("a=in").matches(Map.of("a", "in")));
            assertTrue(LabelSelector.parse("a in (notin)").matches(Map.of("a", "notin")));
        }
    }

    @Nested
    class CanonicalString {

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource(delimiter = '|', quoteCharacter = '\'', textBlock = """
                ''                                | ''
                env==prod                         | env=prod
                ' tier notin ( fe ) , env in (qa, prod, qa) ' | env in (prod,qa),tier notin (fe)
                '!partition,a!=b'                 | 'a!=b,!partition'
                z,y=1,x                           | x,y=1,z
                """)
        void toStringIsCanonical(String selector, String canonical) {
            LabelSelector s = LabelSelector.parse(selector);
            assertEquals(canonical, s.toString());
            assertEquals(s, LabelSelector.parse(s.toString()), "round trip");
        }

        @Test
        void equalityIgnoresTermOrder() {
            assertEquals(LabelSelector.parse("a=1,b=2"), LabelSelector.parse("b=2,a==1"));
            assertEquals(LabelSelector.parse("a=1,b=2").hashCode(), LabelSelector.parse("b=2,a==1").hashCode());
        }
    }

    @Nested
    class Errors {

        @Test
        void missingOperator() {
            assertEquals("unable to parse requirement: found 'b', expected: in, notin, =, ==, !=", error("a b"));
        }

        @Test
        void unclosedSet() {
            assertEquals("unable to parse requirement: found 'end of string', expected: ',' or ')'", error("env in (a"));
        }

        @Test
        void setWithoutParens() {
            assertEquals("unable to parse requirement: found 'prod', expected: '('", error("env in prod"));
        }

        @Test
        void emptySet() {
            assertEquals("unable to parse requirement: values: Invalid value: []: for 'in', 'notin' operators, "
                    + "values set can't be empty", error("env in ()"));
        }

        @Test
        void danglingComma() {
            assertEquals("found 'end of string', expected: identifier after ','", error("a=b,"));
            assertEquals("found ',', expected: !, identifier, or 'end of string'", error(",a=b"));
        }

        @Test
        void junkAfterRequirement() {
            assertEquals("found 'c', expected: ',' or 'end of string'", error("a=b c"));
            assertEquals("found '=', expected: ',' or 'end of string'", error("a=b=c"));
        }

        @Test
        void bangNeedsKey() {
            assertEquals("unable to parse requirement: found 'end of string', expected: identifier", error("!"));
            assertEquals("found '=', expected: !, identifier, or 'end of string'", error("=a"));
            assertEquals("unable to parse requirement: found '=', expected: identifier", error("! =a"));
        }

        @Test
        void negatedKeyTakesNoOperator() {
            assertEquals("found '=', expected: ',' or 'end of string'", error("!a=b"));
        }

        @Test
        void invalidKeyNamesOffendingKey() {
            assertEquals("unable to parse requirement: key: Invalid value: \"-a\": name part must consist of "
                    + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                    + "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                    + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')", error("-a=b"));
            assertTrue(error("a/b/c").contains("key: Invalid value: \"a/b/c\": a qualified name"));
        }

        @Test
        void invalidValueNamesOffendingValue() {
            assertTrue(error("env=-prod").startsWith(
                    "unable to parse requirement: values[0][env]: Invalid value: \"-prod\": a valid label must be"));
            assertTrue(error("env in (ok, bad-)").startsWith(
                    "unable to parse requirement: values[0][env]: Invalid value: \"bad-\":"));
            assertTrue(error("env=" + "a".repeat(64)).contains("must be no more than 63 characters"));
        }

        @Test
        void setBasedOperatorAsKeyIsRejected() {
            assertEquals("unable to parse requirement: found 'in', expected: identifier", error("in=a"));
        }

        @Test
        void gtLtNotSupported() {
            assertEquals("unable to parse requirement: operator '>' is not supported", error("a>1"));
        }
    }

    @Nested
    class FromJson {

        @Test
        void nullOrMissingSelectsNothing() {
            for (LabelSelector s : List.of(LabelSelector.fromJson(null), LabelSelector.fromJson(json("null")),
                    LabelSelector.fromJson(json("{}").path("selector")))) {
                assertTrue(s.isNothing());
                assertFalse(s.isEmpty());
                assertFalse(s.matches(NONE));
                assertFalse(s.matches(PROD_FE));
            }
        }

        @Test
        void emptyObjectSelectsEverything() {
            LabelSelector s = LabelSelector.fromJson(json("{}"));
            assertTrue(s.isEmpty());
            assertTrue(s.matches(NONE));
            assertTrue(LabelSelector.fromJson(json("{\"matchLabels\":{},\"matchExpressions\":[]}")).isEmpty());
        }

        @Test
        void matchLabelsAndExpressionsAreAnded() {
            LabelSelector s = LabelSelector.fromJson(json("""
                    {"matchLabels":{"tier":"fe"},
                     "matchExpressions":[
                       {"key":"env","operator":"In","values":["prod","qa"]},
                       {"key":"track","operator":"NotIn","values":["canary"]},
                       {"key":"partition","operator":"Exists"},
                       {"key":"legacy","operator":"DoesNotExist","values":[]}]}"""));
            assertEquals("env in (prod,qa),legacy,partition,tier=fe,track notin (canary)".replace("legacy", "!legacy"),
                    s.toString());
            assertTrue(s.matches(PROD_FE));
            assertFalse(s.matches(QA_BE));
            assertFalse(s.matches(Map.of("env", "prod", "tier", "fe", "partition", "p", "track", "canary")));
        }

        @Test
        void invalidOperator() {
            SelectorException e = assertThrows(SelectorException.class, () -> LabelSelector.fromJson(
                    json("{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Gt\",\"values\":[\"1\"]}]}")));
            assertEquals("\"Gt\" is not a valid label selector operator", e.getMessage());
        }

        @Test
        void valuesMustMatchOperator() {
            assertEquals("values: Invalid value: [x]: values set must be empty for exists and does not exist",
                    assertThrows(SelectorException.class, () -> LabelSelector.fromJson(json(
                            "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"Exists\",\"values\":[\"x\"]}]}"))).getMessage());
            assertEquals("values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty",
                    assertThrows(SelectorException.class, () -> LabelSelector.fromJson(json(
                            "{\"matchExpressions\":[{\"key\":\"a\",\"operator\":\"In\"}]}"))).getMessage());
        }

        @Test
        void invalidLabelsInMatchLabels() {
            assertTrue(assertThrows(SelectorException.class, () -> LabelSelector.fromJson(
                    json("{\"matchLabels\":{\"a\":\"b c\"}}"))).getMessage().startsWith("values[0][a]: Invalid value: \"b c\""));
            assertEquals("matchLabels.a must be a string, got 1", assertThrows(SelectorException.class,
                    () -> LabelSelector.fromJson(json("{\"matchLabels\":{\"a\":1}}"))).getMessage());
        }

        @Test
        void malformedShapes() {
            assertThrows(SelectorException.class, () -> LabelSelector.fromJson(json("\"app=web\"")));
            assertThrows(SelectorException.class, () -> LabelSelector.fromJson(json("{\"matchExpressions\":{}}")));
            assertEquals("matchExpressions[].operator must be a string, got nothing", assertThrows(SelectorException.class,
                    () -> LabelSelector.fromJson(json("{\"matchExpressions\":[{\"key\":\"a\"}]}"))).getMessage());
        }
    }

    @Test
    void fromMapIsEqualityOnEveryEntry() {
        LabelSelector s = LabelSelector.fromMap(Map.of("app", "web", "tier", "fe"));
        assertEquals("app=web,tier=fe", s.toString());
        assertTrue(s.matches(Map.of("app", "web", "tier", "fe", "x", "y")));
        assertFalse(s.matches(Map.of("app", "web")));
        assertTrue(LabelSelector.fromMap(Map.of()).isEmpty());
    }

    @Test
    void requirementValidatesDirectly() {
        assertThrows(SelectorException.class, () -> new Requirement("a", Operator.EQUALS, List.of("x", "y")));
        assertEquals(List.of("a", "b"), new Requirement("k", Operator.IN, List.of("b", "a", "b")).values());
    }
}
