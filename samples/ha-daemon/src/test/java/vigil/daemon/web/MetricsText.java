package vigil.daemon.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading Prometheus' text exposition format in tests. */
public final class MetricsText {
    private MetricsText() {}

    /** The metric families (from their {@code # TYPE} lines) that have no {@code # HELP} line, or an empty one. */
    public static List<String> withoutHelp(String text) {
        Map<String, String> help = new LinkedHashMap<>();
        List<String> families = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] p = line.substring(7).split(" ", 2);
                help.put(p[0], p.length > 1 ? p[1].trim() : "");
            } else if (line.startsWith("# TYPE ")) {
                families.add(line.substring(7).split(" ", 2)[0]);
            }
        }
        List<String> missing = new ArrayList<>();
        for (String f : families) if (help.getOrDefault(f, "").isEmpty()) missing.add(f);
        return missing;
    }

    /** The samples of one metric: label text (as between the braces) to value. */
    public static Map<String, Double> samples(String text, String metric) {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("#")) continue;
            if (line.startsWith(metric + "{")) {
                int close = line.lastIndexOf('}');
                out.put(line.substring(metric.length() + 1, close), Double.parseDouble(line.substring(close + 1).trim().split(" ")[0]));
            } else if (line.startsWith(metric + " ")) {
                out.put("", Double.parseDouble(line.substring(metric.length() + 1).trim().split(" ")[0]));
            }
        }
        return out;
    }
}
