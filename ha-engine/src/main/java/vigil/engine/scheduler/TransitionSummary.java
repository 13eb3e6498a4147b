package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.List;
import vigil.api.status.ClusterState;

/**
 * crm_simulate's "Transition Summary" lines for a transition's {@link Transition#changes()}, in its exact format:
 * fence lines ({@code * Fence (reboot) node1 'reason'}), then {@code "  * %-8s   %-*s   ( %*s )  reason"} per resource
 * change. Column widths are Pacemaker's: the resource column starts at 5 and widens to an id's length + 2 whenever an id
 * is longer than the width reached so far, the detail column is as wide as the longest detail; all lines use the
 * final widths.
 */
public final class TransitionSummary {
    private TransitionSummary() {}

    public static List<String> lines(ClusterState before, Transition t) {
        List<String> out = new ArrayList<>();
        int rscWidth = 5;
        int detailWidth = 5;
        for (Transition.Change c : t.changes()) {
            if (c.resource().isEmpty()) continue;
            if (c.resource().length() > rscWidth) rscWidth = c.resource().length() + 2;
            if (c.details().length() > detailWidth) detailWidth = c.details().length();
        }
        for (Transition.Change c : t.changes()) {
            if (c.resource().isEmpty()) {
                out.add("  * " + c.kind() + " " + c.details() + " '" + c.reason() + "'");
                continue;
            }
            out.add(String.format("  * %-8s   %-" + rscWidth + "s   ( %" + detailWidth + "s )%s", c.kind(), c.resource(), c.details(),
                    c.reason().isEmpty() ? "" : "  " + c.reason()));
        }
        return out;
    }
}
