package vigil.engine.cib;

import java.util.Locale;

/**
 * Whether a node attribute expression of a Pacemaker rule holds (as "Pacemaker Explained" describes rule expressions):
 * {@code defined} / {@code not_defined} test presence; the other operations compare the node's value with the
 * expression's as {@code type} says. Without a type, lt/lte/gt/gte compare as integers (as decimal numbers when
 * either value has a '.') and eq/ne as strings; strings compare without regard to case. An integer is the one a
 * value starts with ("3.4" compares as 3, as in Pacemaker), and a value that does not parse as a number is compared as
 * a string. A missing value: eq and ne compare it as less than any value, the
 * ordering operations are false.
 */
final class NodeAttributeRule {
    private NodeAttributeRule() {}

    static boolean accepts(String nodeValue, String value, String type, String operation) {
        String op = operation.toLowerCase(Locale.ROOT);
        switch (op) {
            case "defined": return nodeValue != null;
            case "not_defined": return nodeValue == null;
            default: break;
        }
        int cmp = compare(nodeValue, value, type, op);
        switch (op) {
            case "eq": return cmp == 0;
            case "ne": return cmp != 0;
            default: break;
        }
        if (nodeValue == null || value == null) return false;
        return switch (op) {
            case "lt" -> cmp < 0;
            case "lte" -> cmp <= 0;
            case "gt" -> cmp > 0;
            case "gte" -> cmp >= 0;
            default -> false;
        };
    }

    private static int compare(String l, String r, String type, String op) {
        if (l == null || r == null) return l == null && r == null ? 0 : l == null ? -1 : 1;
        if (type == null) {
            boolean ordering = op.equals("lt") || op.equals("lte") || op.equals("gt") || op.equals("gte");
            type = !ordering ? "string" : l.indexOf('.') >= 0 || r.indexOf('.') >= 0 ? "number" : "integer";
        }
        switch (type) {
            case "integer": {
                Long a = leadingInteger(l), b = leadingInteger(r);
                return a != null && b != null ? Long.compare(a, b) : Integer.signum(l.compareToIgnoreCase(r));
            }
            case "number":
                try {
                    return Double.compare(Double.parseDouble(l.trim()), Double.parseDouble(r.trim()));
                } catch (NumberFormatException e) {
                    return Integer.signum(l.compareToIgnoreCase(r));
                }
            case "version":
                return compareVersions(l, r);
            default:
                return Integer.signum(l.compareToIgnoreCase(r));
        }
    }

    /**
     * The integer a value starts with, as Pacemaker reads one: after blanks, an optional sign and decimal digits; what
     * follows is ignored ("3.4" is 3). Null when there are no digits, or too many for a long.
     */
    static Long leadingInteger(String s) {
        int i = 0;
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
        int start = i;
        if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) i++;
        int digits = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') i++;
        if (i == digits) return null;
        try {
            return Long.parseLong(s.substring(start, i));
        } catch (NumberFormatException e) {
            return null; // out of range
        }
    }

    /** Dotted versions, part by part as numbers; a missing part counts as less than any. */
    private static int compareVersions(String l, String r) {
        String[] a = l.split("\\."), b = r.split("\\.");
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            if (i >= a.length) return -1;
            if (i >= b.length) return 1;
            long x = leadingNumber(a[i]), y = leadingNumber(b[i]);
            if (x != y) return x < y ? -1 : 1;
        }
        return 0;
    }

    private static long leadingNumber(String s) {
        int end = 0;
        while (end < s.length() && Character.isDigit(s.charAt(end))) end++;
        return end == 0 ? 0 : Long.parseLong(s.substring(0, Math.min(end, 18)));
    }
}
