package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.List;

/** A line diff of two config texts ({@code -} removed, {@code +} added, with up to 2 lines of context), as shown before {@code config apply}. */
public final class ConfigDiff {
    private ConfigDiff() {}

    /** The diff, or an empty string when the texts are equal. */
    public static String diff(String before, String after) {
        List<String> a = before.isEmpty() ? List.of() : List.of(before.split("\n", -1));
        List<String> b = after.isEmpty() ? List.of() : List.of(after.split("\n", -1));
        int[][] lcs = new int[a.size() + 1][b.size() + 1];
        for (int i = a.size() - 1; i >= 0; i--) {
            for (int j = b.size() - 1; j >= 0; j--) {
                lcs[i][j] = a.get(i).equals(b.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.size() || j < b.size()) {
            if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
                lines.add("  " + a.get(i));
                i++;
                j++;
            } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
                lines.add("+ " + b.get(j++));
            } else {
                lines.add("- " + a.get(i++));
            }
        }
        boolean[] keep = new boolean[lines.size()];
        boolean any = false;
        for (int k = 0; k < lines.size(); k++) {
            if (lines.get(k).startsWith("  ")) continue;
            any = true;
            for (int c = Math.max(0, k - 2); c <= Math.min(lines.size() - 1, k + 2); c++) keep[c] = true;
        }
        if (!any) return "";
        StringBuilder sb = new StringBuilder();
        boolean gap = false;
        for (int k = 0; k < lines.size(); k++) {
            if (keep[k]) {
                if (gap) sb.append("  ...\n");
                gap = false;
                sb.append(lines.get(k).stripTrailing()).append('\n');
            } else {
                gap = true;
            }
        }
        return sb.toString();
    }
}
