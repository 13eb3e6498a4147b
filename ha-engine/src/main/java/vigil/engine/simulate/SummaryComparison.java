package vigil.engine.simulate;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import vigil.api.model.Clone;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.ClusterConfig;

/**
 * Compares two transition summaries in crm_simulate's format strictly: every line, its reason text (including
 * "(blocked)" lines and fence lines) and the order of lines must agree. Only two things are normalised:
 * <ul>
 * <li>runs of spaces: crm_simulate pads its columns to the widest entry, which is presentation only;</li>
 * <li>instance numbers of <em>anonymous</em> clones ({@code drbd:1} becomes {@code drbd:*}), and with them the order
 *     of the lines within one such clone: the instances of an anonymous clone are interchangeable, its status in the
 *     CIB is kept without an instance number, and the number crm_simulate shows is the position in which it happened
 *     to match the status entries, not an identity. Instances of globally-unique clones keep their numbers.</li>
 * </ul>
 */
public final class SummaryComparison {
    private static final Pattern INSTANCE = Pattern.compile("([A-Za-z0-9_.\\-]+):([0-9]+)");

    private SummaryComparison() {}

    /**
     * Primitive id -> clone id for the primitives of anonymous clones (whose instance numbers are normalised).
     */
    public static Map<String, String> anonymousInstances(ClusterConfig cfg) {
        Map<String, String> out = new java.util.HashMap<>();
        for (Resource r : cfg.resources()) {
            if (r instanceof Clone c && !c.meta().bool("globally-unique", false)) {
                for (Primitive p : c.primitives()) out.put(p.id(), c.id());
                if (!(c.child() instanceof Primitive)) out.put(c.child().id(), c.id());
            }
        }
        return out;
    }

    /** The lines in comparable form (see the class comment). */
    public static List<String> normalize(List<String> lines, Map<String, String> anonymous) {
        List<String> norm = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        for (String l : lines) {
            String n = l.strip().replaceAll("\\s+", " ");
            Matcher m = INSTANCE.matcher(n);
            StringBuilder sb = new StringBuilder();
            while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(anonymous.containsKey(m.group(1)) ? m.group(1) + ":*" : m.group()));
            m.appendTail(sb);
            n = sb.toString();
            norm.add(n);
            blocks.add(block(n, anonymous));
        }
        // sort within each run of consecutive lines of one anonymous clone
        List<String> out = new ArrayList<>(norm.size());
        int i = 0;
        while (i < norm.size()) {
            int j = i + 1;
            String b = blocks.get(i);
            while (b != null && j < norm.size() && b.equals(blocks.get(j))) j++;
            List<String> run = new ArrayList<>(norm.subList(i, j));
            run.sort(null);
            out.addAll(run);
            i = j;
        }
        return out;
    }

    /** The anonymous clone a line is about, or null. */
    private static String block(String normalized, Map<String, String> anonymous) {
        String[] w = normalized.split(" ");
        if (w.length < 3 || !w[0].equals("*") || w[1].equals("Fence")) return null;
        String rsc = w[2];
        if (!rsc.endsWith(":*")) return null;
        return anonymous.get(rsc.substring(0, rsc.length() - 2));
    }

    /** A line diff of two normalised summaries ("- " expected only, "+ " actual only), empty when they agree. */
    public static List<String> diff(List<String> expected, List<String> actual) {
        int n = expected.size(), m = actual.size();
        int[][] lcs = new int[n + 1][m + 1];
        for (int i = n - 1; i >= 0; i--)
            for (int j = m - 1; j >= 0; j--)
                lcs[i][j] = expected.get(i).equals(actual.get(j)) ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
        List<String> out = new ArrayList<>();
        int i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && expected.get(i).equals(actual.get(j))) { i++; j++; }
            else if (j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j])) out.add("+ " + actual.get(j++));
            else out.add("- " + expected.get(i++));
        }
        return out;
    }
}
