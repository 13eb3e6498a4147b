package vigil.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code --key value} arguments, with the required keys checked and a clear message for anything else. */
final class Args {
    private Args() {}

    static Map<String, String> parse(String[] args, List<String> required) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument \"" + a + "\": options are --name value");
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq >= 0) {
                out.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                out.put(key, args[++i]);
            } else {
                out.put(key, "true");
            }
        }
        for (String r : required) {
            if (!out.containsKey(r)) throw new IllegalArgumentException("missing --" + r);
        }
        return out;
    }

    static int integer(Map<String, String> a, String key, int dflt) {
        String v = a.get(key);
        if (v == null) return dflt;
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, got \"" + v + "\"");
        }
    }

    static long longValue(Map<String, String> a, String key, long dflt) {
        String v = a.get(key);
        if (v == null) return dflt;
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, got \"" + v + "\"");
        }
    }
}
