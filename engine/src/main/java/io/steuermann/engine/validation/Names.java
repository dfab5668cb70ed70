package io.steuermann.engine.validation;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Kubernetes' name and label syntax checks (k8s.io/apimachinery/pkg/util/validation), with its
 * exact error strings so clients and tests written against a real API server see the same text.
 * Each method returns the list of problems; an empty list means valid.
 */
public final class Names {

    public static final int DNS1123_LABEL_MAX_LENGTH = 63;
    public static final int DNS1123_SUBDOMAIN_MAX_LENGTH = 253;
    public static final int QUALIFIED_NAME_MAX_LENGTH = 63;
    public static final int LABEL_VALUE_MAX_LENGTH = 63;

    public static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    public static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    private static final String QUALIFIED_NAME_CHAR_FMT = "[A-Za-z0-9]";
    private static final String QUALIFIED_NAME_EXT_CHAR_FMT = "[-A-Za-z0-9_.]";
    public static final String QUALIFIED_NAME_FMT =
            "(" + QUALIFIED_NAME_CHAR_FMT + QUALIFIED_NAME_EXT_CHAR_FMT + "*)?" + QUALIFIED_NAME_CHAR_FMT;
    public static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";

    private static final String DNS1123_LABEL_ERR = "a lowercase RFC 1123 label must consist of lower case "
            + "alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private static final String DNS1123_SUBDOMAIN_ERR = "a lowercase RFC 1123 subdomain must consist of lower "
            + "case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private static final String QUALIFIED_NAME_ERR = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character";
    private static final String LABEL_VALUE_ERR = "a valid label must be an empty string or consist of "
            + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
    private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);

    private Names() {
    }

    /** RFC 1123 label: at most 63 characters, {@code [a-z0-9-]}, alphanumeric at both ends. */
    public static List<String> dns1123Label(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
        }
        if (!DNS1123_LABEL.matcher(value).matches()) {
            if (DNS1123_SUBDOMAIN.matcher(value).matches()) {
                // Valid subdomain, invalid label: the only possible difference is dots.
                errs.add("must not contain dots");
            } else {
                errs.add(regexError(DNS1123_LABEL_ERR, DNS1123_LABEL_FMT, "my-name", "123-abc"));
            }
        }
        return errs;
    }

    /** DNS-1035 label (Service names): as an RFC 1123 label, but starting with a letter. */
    public static List<String> dns1035Label(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > DNS1123_LABEL_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_LABEL_MAX_LENGTH));
        }
        if (!value.matches("[a-z]([-a-z0-9]*[a-z0-9])?")) {
            errs.add(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                + "start with an alphabetic character, and end with an alphanumeric character",
                "[a-z]([-a-z0-9]*[a-z0-9])?", "my-name", "abc-123"));
        }
        return errs;
    }

    /** RFC 1123 subdomain: at most 253 characters of dot-separated RFC 1123 labels. */
    public static List<String> dns1123Subdomain(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > DNS1123_SUBDOMAIN_MAX_LENGTH) {
            errs.add(maxLenError(DNS1123_SUBDOMAIN_MAX_LENGTH));
        }
        if (!DNS1123_SUBDOMAIN.matcher(value).matches()) {
            errs.add(regexError(DNS1123_SUBDOMAIN_ERR, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    /**
     * Qualified name, the syntax of label and annotation keys: an optional DNS subdomain prefix
     * and '/', then a name of at most 63 characters of {@code [A-Za-z0-9._-]}, alphanumeric at
     * both ends.
     */
    public static List<String> qualifiedName(String value) {
        List<String> errs = new ArrayList<>();
        String[] parts = value.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                errs.add("prefix part " + emptyError());
            } else {
                for (String msg : dns1123Subdomain(prefix)) {
                    errs.add("prefix part " + msg);
                }
            }
        } else {
            errs.add("a qualified name " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc")
                    + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errs;
        }
        if (name.isEmpty()) {
            errs.add("name part " + emptyError());
        } else if (byteLength(name) > QUALIFIED_NAME_MAX_LENGTH) {
            errs.add("name part " + maxLenError(QUALIFIED_NAME_MAX_LENGTH));
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + regexError(QUALIFIED_NAME_ERR, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    /** Label key: a qualified name. */
    public static List<String> labelKey(String key) {
        return qualifiedName(key);
    }

    /** Annotation key: a qualified name, except that case does not matter (as in Kubernetes). */
    public static List<String> annotationKey(String key) {
        return qualifiedName(key.toLowerCase(Locale.ROOT));
    }

    /** Label value: empty, or at most 63 characters of {@code [A-Za-z0-9._-]}, alphanumeric at both ends. */
    public static List<String> labelValue(String value) {
        List<String> errs = new ArrayList<>();
        if (byteLength(value) > LABEL_VALUE_MAX_LENGTH) {
            errs.add(maxLenError(LABEL_VALUE_MAX_LENGTH));
        }
        if (!LABEL_VALUE.matcher(value).matches()) {
            errs.add(regexError(LABEL_VALUE_ERR, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /**
     * Object name that must be a DNS subdomain (most kinds). With {@code prefix} true the value is
     * a {@code generateName}, whose trailing '-' is fine because random characters follow it.
     */
    public static List<String> objectNameDnsSubdomain(String name, boolean prefix) {
        return dns1123Subdomain(prefix ? maskTrailingDash(name) : name);
    }

    /** Object name that must be a DNS label (e.g. Namespace, Service); see {@link #objectNameDnsSubdomain}. */
    public static List<String> objectNameDnsLabel(String name, boolean prefix) {
        return dns1123Label(prefix ? maskTrailingDash(name) : name);
    }

    /**
     * Object name that only has to be usable as a URL path segment (e.g. RBAC roles), Kubernetes'
     * {@code ValidatePathSegmentName}.
     */
    public static List<String> pathSegmentName(String name, boolean prefix) {
        List<String> errs = new ArrayList<>();
        if (!prefix && (name.equals(".") || name.equals(".."))) {
            errs.add("may not be '" + name + "'");
        }
        for (String illegal : List.of("/", "%")) {
            if (name.contains(illegal)) {
                errs.add("may not contain '" + illegal + "'");
            }
        }
        return errs;
    }

    /** Kubernetes' {@code MaxLenError}. */
    public static String maxLenError(int length) {
        return "must be no more than " + length + " characters";
    }

    /** Kubernetes' {@code EmptyError}. */
    public static String emptyError() {
        return "must be non-empty";
    }

    /**
     * Kubernetes' {@code RegexError}, reproduced to the character -- including the doubled space
     * it produces before " or " when there are several examples.
     */
    public static String regexError(String msg, String fmt, String... examples) {
        if (examples.length == 0) {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                sb.append(" or ");
            }
            sb.append('\'').append(examples[i]).append("', ");
        }
        return sb.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    /** Size in bytes as Kubernetes counts it (Go string length = UTF-8 bytes). */
    static int byteLength(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 1) + "a" : name;
    }
}
