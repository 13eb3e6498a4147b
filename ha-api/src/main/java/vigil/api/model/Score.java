package vigil.api.model;

import vigil.api.ConfigException;

/**
 * A Pacemaker score: an integer where {@code INFINITY} (1,000,000) means "must" and {@code -INFINITY} "must not".
 * Addition saturates as in Pacemaker: anything plus -INFINITY is -INFINITY, even INFINITY.
 */
public record Score(int value) implements Comparable<Score> {
    public static final int INFINITY_VALUE = 1_000_000;
    public static final Score INFINITY = new Score(INFINITY_VALUE);
    public static final Score MINUS_INFINITY = new Score(-INFINITY_VALUE);
    public static final Score ZERO = new Score(0);

    public Score {
        if (value > INFINITY_VALUE) value = INFINITY_VALUE;
        if (value < -INFINITY_VALUE) value = -INFINITY_VALUE;
    }

    public static Score of(int value) { return new Score(value); }

    /**
     * A score an administrator writes: as {@link #parse}, but an integer beyond ±1,000,000 is an error instead of
     * silently becoming ±INFINITY (a CIB from Pacemaker is read with {@link #parse}, which saturates as Pacemaker does).
     */
    public static Score parseChecked(String field, String text) {
        Score s = parse(field, text);
        String t = text.trim();
        if (Math.abs(s.value()) == INFINITY_VALUE && t.matches("[+-]?\\d+")) {
            java.math.BigInteger v = new java.math.BigInteger(t.startsWith("+") ? t.substring(1) : t);
            if (v.abs().compareTo(java.math.BigInteger.valueOf(INFINITY_VALUE)) > 0) {
                throw new ConfigException(field, "score " + (t.length() > 24 ? t.substring(0, 24) + "..." : t) + " is out of range",
                        "use -1000000 to 1000000, or INFINITY / -INFINITY");
            }
        }
        return s;
    }

    /** Parses {@code INFINITY}, {@code +INFINITY}, {@code -INFINITY}, {@code inf} or an integer. */
    public static Score parse(String field, String text) {
        if (text == null) throw new ConfigException(field, "score is missing", "give an integer or INFINITY / -INFINITY");
        String t = text.trim();
        switch (t.toUpperCase(java.util.Locale.ROOT)) {
            case "INFINITY", "+INFINITY", "INF", "+INF" -> { return INFINITY; }
            case "-INFINITY", "-INF" -> { return MINUS_INFINITY; }
            default -> { }
        }
        try {
            return new Score(Integer.parseInt(t.startsWith("+") ? t.substring(1) : t));
        } catch (NumberFormatException e) {
            try {
                long big = Long.parseLong(t);
                return new Score(big > 0 ? INFINITY_VALUE : -INFINITY_VALUE);
            } catch (NumberFormatException e2) {
                throw new ConfigException(field, "invalid score \"" + text + "\"", "give an integer or INFINITY / -INFINITY");
            }
        }
    }

    public Score plus(Score other) {
        if (value == -INFINITY_VALUE || other.value == -INFINITY_VALUE) return MINUS_INFINITY;
        if (value == INFINITY_VALUE || other.value == INFINITY_VALUE) return INFINITY;
        return new Score(value + other.value);
    }

    public boolean isInfinity() { return value == INFINITY_VALUE; }
    public boolean isMinusInfinity() { return value == -INFINITY_VALUE; }

    @Override
    public int compareTo(Score o) { return Integer.compare(value, o.value); }

    @Override
    public String toString() {
        if (value == INFINITY_VALUE) return "INFINITY";
        if (value == -INFINITY_VALUE) return "-INFINITY";
        return Integer.toString(value);
    }
}
