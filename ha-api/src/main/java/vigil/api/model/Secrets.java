package vigil.api.model;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Recognizes secret parameters (passwords, SNMP communities, tokens) so they never reach logs or status output. */
public final class Secrets {
    public static final String MASK = "******";

    private Secrets() {}

    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT).replace('-', '_');
        if (k.endsWith("_file") || k.endsWith("_env") || k.endsWith("_script")) return false;
        return k.contains("passw") || k.contains("secret") || k.contains("token") || k.contains("community");
    }

    public static Map<String, String> mask(Map<String, String> params) {
        Map<String, String> out = new TreeMap<>();
        params.forEach((k, v) -> out.put(k, isSecret(k) ? MASK : v));
        return out;
    }

    /** Replaces every occurrence of the secret values of {@code params} in {@code text}. */
    public static String scrub(String text, Map<String, String> params) {
        if (text == null) return null;
        String out = text;
        for (var e : params.entrySet()) {
            if (isSecret(e.getKey()) && e.getValue() != null && e.getValue().length() >= 2) out = out.replace(e.getValue(), MASK);
        }
        return out;
    }
}
