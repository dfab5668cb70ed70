package io.steuermann.engine.patch;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Map;

/** JSON helpers shared by the patch implementations. */
final class JsonNodes {

    private JsonNodes() {
    }

    /**
     * JSON value equality as RFC 6902 "test" defines it. Jackson's {@code equals} is
     * representation-sensitive ({@code 1} vs {@code 1.0}, int vs long), which would make a
     * semantically true test fail depending on how the document happened to be parsed.
     */
    static boolean jsonEquals(JsonNode a, JsonNode b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.isNumber() && b.isNumber()) {
            return toBigDecimal(a).compareTo(toBigDecimal(b)) == 0;
        }
        if (a.getNodeType() != b.getNodeType()) {
            return false;
        }
        if (a.isArray()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (int i = 0; i < a.size(); i++) {
                if (!jsonEquals(a.get(i), b.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (a.isObject()) {
            if (a.size() != b.size()) {
                return false;
            }
            for (Map.Entry<String, JsonNode> e : a.properties()) {
                if (!jsonEquals(e.getValue(), b.get(e.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    private static BigDecimal toBigDecimal(JsonNode n) {
        // Doubles go through their decimal string so 0.1 compares equal to a BigDecimal 0.1.
        return n.isFloatingPointNumber() && !n.isBigDecimal()
                ? new BigDecimal(Double.toString(n.doubleValue()))
                : n.decimalValue();
    }

    /** Jackson's null, JSON null and MissingNode all mean "absent" to a merge. */
    static boolean isAbsent(JsonNode n) {
        return n == null || n.isMissingNode();
    }
}
