package vigil.fencing.agent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ClusterLabs fence agent calling convention (https://github.com/ClusterLabs/fence-agents/blob/main/doc/FenceAgentAPI.md):
 * {@code key=value} lines on stdin, the action as {@code action=}; exit 0 success, and for status 0 on, 2 off,
 * anything else an error.
 */
public final class AgentProtocol {
    public static final int STATUS_ON = 0;
    public static final int STATUS_OFF = 2;

    private AgentProtocol() {}

    /** The stdin text for {@code action}: action first, then the plug (if the agent takes one), then the parameters sorted. */
    public static String stdin(String action, String plugArgument, String plug, Map<String, String> params) {
        StringBuilder b = new StringBuilder("action=").append(action).append('\n');
        if (plugArgument != null && plug != null) b.append(plugArgument).append('=').append(plug).append('\n');
        new TreeMap<>(params).forEach((k, v) -> {
            if (v.indexOf('\n') >= 0) throw new IllegalArgumentException("parameter " + k + " contains a newline");
            b.append(k).append('=').append(v).append('\n');
        });
        return b.toString();
    }

    /** Plug names from {@code list} output ({@code plug,alias} per line). */
    public static List<String> parseList(String stdout) {
        List<String> out = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            String t = line.trim();
            if (t.isEmpty()) continue;
            int c = t.indexOf(',');
            out.add(c < 0 ? t : t.substring(0, c));
        }
        return out;
    }

    /** The agent's own explanation: its ERROR/Failed lines, else its last lines, without Python's warnings. */
    public static String explain(String stdout, String stderr) {
        List<String> useful = new ArrayList<>();
        List<String> all = new ArrayList<>();
        String previous = "";
        for (String line : (stderr + "\n" + stdout).split("\n")) {
            String t = line.trim();
            boolean warningTail = previous.contains("DeprecationWarning") || previous.contains("Warning:");
            previous = t;
            if (t.isEmpty() || t.contains("DeprecationWarning") || warningTail && line.startsWith("  ")) continue;
            all.add(t);
            if (t.contains("ERROR") || t.startsWith("Failed") || t.contains("Failed:")) useful.add(stripTimestamp(t));
        }
        List<String> pick = useful.isEmpty() ? all.subList(Math.max(0, all.size() - 3), all.size()) : useful;
        return pick.isEmpty() ? "no output" : String.join(" / ", new java.util.LinkedHashSet<>(pick));
    }

    private static String stripTimestamp(String line) {
        // "2026-11-23 18:17:43,164 ERROR: Failed: ..." -> "ERROR: Failed: ..."
        int i = line.indexOf(" ERROR");
        return line.matches("^\\d{4}-\\d\\d-\\d\\d .*") && i > 0 ? line.substring(i + 1) : line;
    }
}
