package vigil.engine.scheduler;

import vigil.api.model.Score;

/** Pacemaker's score arithmetic: INFINITY saturates, and -INFINITY wins over INFINITY. */
final class Scores {
    static final int INF = Score.INFINITY_VALUE;

    private Scores() {}

    static int add(int a, int b) {
        if (a == -INF || b == -INF) return -INF;
        if (a == INF || b == INF) return INF;
        long s = (long) a + b;
        return (int) Math.max(-INF, Math.min(INF, s));
    }

    /**
     * A node attribute or meta value as a score: {@code INFINITY}, {@code -INFINITY}, an integer (clamped), the node
     * health colours ({@code red} is -INFINITY; {@code yellow} and {@code green} are 0 unless configured), else 0.
     */
    static int parse(String v) {
        if (v == null) return 0;
        String t = v.trim();
        switch (t.toUpperCase(java.util.Locale.ROOT)) {
            case "INFINITY", "+INFINITY", "INF", "+INF": return INF;
            case "-INFINITY", "-INF": return -INF;
            case "RED": return -INF;
            default: break;
        }
        int i = 0;
        boolean neg = false;
        if (i < t.length() && (t.charAt(i) == '-' || t.charAt(i) == '+')) { neg = t.charAt(i) == '-'; i++; }
        long n = 0;
        boolean any = false;
        for (; i < t.length() && Character.isDigit(t.charAt(i)); i++) {
            any = true;
            n = n * 10 + (t.charAt(i) - '0');
            if (n > INF) { n = INF; }
        }
        if (!any) return 0;
        return (int) (neg ? -Math.min(n, INF) : Math.min(n, INF));
    }

    static String text(int v) {
        if (v >= INF) return "INFINITY";
        if (v <= -INF) return "-INFINITY";
        return Integer.toString(v);
    }
}
