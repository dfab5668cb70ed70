package io.steuermann.engine.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

    static final String SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
            + "characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "
            + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    static final String LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
            + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
            + "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    static final String NAME_PART_ERR = "name part must consist of alphanumeric characters, '-', '_' or '.', and "
            + "must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
            + "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
    static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
            + "or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

    @Nested
    class Dns1123Subdomain {

        @ParameterizedTest
        @ValueSource(strings = {"a", "0", "example.com", "my-app.v1", "a-b.c-d.e", "123", "a.b.c.d.e.f"})
        void valid(String name) {
            assertEquals(List.of(), Names.dns1123Subdomain(name));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "Foo", "-a", "a-", ".a", "a.", "a..b", "a_b", "a b", "ä", "a.-b"})
        void invalid(String name) {
            assertEquals(List.of(SUBDOMAIN_ERR), Names.dns1123Subdomain(name));
        }

        @Test
        void lengthLimitIs253() {
            String ok = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(61);
            assertEquals(253, ok.length());
            assertEquals(List.of(), Names.dns1123Subdomain(ok));
            assertEquals(List.of("must be no more than 253 characters"), Names.dns1123Subdomain(ok + "d"));
        }

        @Test
        void tooLongAndMalformedReportsBoth() {
            assertEquals(List.of("must be no more than 253 characters", SUBDOMAIN_ERR),
                    Names.dns1123Subdomain("A".repeat(254)));
        }
    }

    @Nested
    class Dns1123Label {

        @ParameterizedTest
        @ValueSource(strings = {"a", "my-name", "123-abc", "0a0"})
        void valid(String name) {
            assertEquals(List.of(), Names.dns1123Label(name));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "Foo", "-a", "a-", "a_b", "a b"})
        void invalid(String name) {
            assertEquals(List.of(LABEL_ERR), Names.dns1123Label(name));
        }

        @Test
        void dotsGetTheirOwnMessage() {
            assertEquals(List.of("must not contain dots"), Names.dns1123Label("a.b"));
        }

        @Test
        void lengthLimitIs63() {
            assertEquals(List.of(), Names.dns1123Label("a".repeat(63)));
            assertEquals(List.of("must be no more than 63 characters"), Names.dns1123Label("a".repeat(64)));
        }
    }

    @Nested
    class QualifiedName {

        @ParameterizedTest
        @ValueSource(strings = {"app", "MyName", "my.name", "123-abc", "a_b", "example.com/MyName",
                "app.kubernetes.io/name", "k8s.io/x", "A"})
        void valid(String name) {
            assertEquals(List.of(), Names.qualifiedName(name));
        }

        @ParameterizedTest
        @ValueSource(strings = {"-a", "a-", "_a", "a b", "a$", "ä"})
        void invalidNamePart(String name) {
            assertEquals(List.of(NAME_PART_ERR), Names.qualifiedName(name));
        }

        @Test
        void emptyName() {
            assertEquals(List.of("name part must be non-empty", NAME_PART_ERR), Names.qualifiedName(""));
            assertEquals(List.of("name part must be non-empty", NAME_PART_ERR), Names.qualifiedName("example.com/"));
        }

        @Test
        void emptyPrefix() {
            assertEquals(List.of("prefix part must be non-empty"), Names.qualifiedName("/a"));
        }

        @Test
        void invalidPrefix() {
            assertEquals(List.of("prefix part " + SUBDOMAIN_ERR), Names.qualifiedName("Example.com/a"));
        }

        @Test
        void tooManySlashes() {
            assertEquals(List.of("a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must "
                    + "start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                    + "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
                    + "prefix and '/' (e.g. 'example.com/MyName')"), Names.qualifiedName("a/b/c"));
        }

        @Test
        void namePartLengthLimitIs63() {
            assertEquals(List.of(), Names.qualifiedName("example.com/" + "a".repeat(63)));
            assertEquals(List.of("name part must be no more than 63 characters"), Names.qualifiedName("a".repeat(64)));
        }

        @Test
        void annotationKeysIgnoreCaseInPrefix() {
            assertEquals(List.of("prefix part " + SUBDOMAIN_ERR), Names.labelKey("Example.com/a"));
            assertEquals(List.of(), Names.annotationKey("Example.com/a"));
        }
    }

    @Nested
    class LabelValue {

        @ParameterizedTest
        @ValueSource(strings = {"", "a", "MyValue", "my_value", "12345", "v1.2.3", "a-b_c.d"})
        void valid(String value) {
            assertEquals(List.of(), Names.labelValue(value));
        }

        @ParameterizedTest
        @ValueSource(strings = {"-a", "a-", "a b", "a/b", "a:b", ".", "é"})
        void invalid(String value) {
            assertEquals(List.of(LABEL_VALUE_ERR), Names.labelValue(value));
        }

        @Test
        void lengthLimitIs63() {
            assertEquals(List.of(), Names.labelValue("a".repeat(63)));
            assertEquals(List.of("must be no more than 63 characters"), Names.labelValue("a".repeat(64)));
        }

        @Test
        void lengthIsCountedInBytesLikeGo() {
            List<String> errs = Names.labelValue("é".repeat(32));
            assertEquals("must be no more than 63 characters", errs.get(0));
        }
    }

    @Nested
    class ObjectNames {

        @Test
        void generateNameMayEndWithDash() {
            assertEquals(List.of(), Names.objectNameDnsSubdomain("web-", true));
            assertEquals(List.of(), Names.objectNameDnsLabel("web-", true));
            assertEquals(List.of(SUBDOMAIN_ERR), Names.objectNameDnsSubdomain("web-", false));
        }

        @Test
        void pathSegmentNames() {
            assertEquals(List.of(), Names.pathSegmentName("system:admin", false));
            assertEquals(List.of("may not be '..'"), Names.pathSegmentName("..", false));
            assertEquals(List.of("may not contain '/'", "may not contain '%'"), Names.pathSegmentName("a/%", false));
        }
    }

    @Test
    void regexErrorMatchesKubernetesFormatting() {
        assertEquals("m (regex used for validation is 'x')", Names.regexError("m", "x"));
        assertEquals("m (e.g. 'a', regex used for validation is 'x')", Names.regexError("m", "x", "a"));
        assertTrue(Names.regexError("m", "x", "a", "b").contains("'a',  or 'b', "));
    }
}
