package vigil.engine.scheduler;

import java.util.List;
import java.util.Map;
import vigil.api.model.Maps;
import vigil.api.model.Score;

/**
 * What the scheduler decided for one cluster state: a DAG of actions (each lists the ids it waits for), the changes
 * it makes per resource and fenced node with their reasons (crm_simulate's transition summary, including changes that
 * are blocked), the allocation scores it used (resource -> node -> score, for {@code simulate --show-scores}), and for
 * every resource it could not place, why ({@code vm1 -> "node2: -INFINITY from location ban-vm1; ..."}).
 */
public record Transition(List<PlannedAction> actions, Map<String, Map<String, Score>> scores, Map<String, String> notPlaced,
                         List<Change> changes) {
    public static final Transition EMPTY = new Transition(List.of(), Map.of(), Map.of(), List.of());

    /**
     * One line of the transition summary: {@code kind} is Start, Stop, Restart, Recover, Move, Migrate, Promote,
     * Demote, Re-promote, or for a node {@code Fence (reboot)}; {@code resource} is empty for a fence;
     * {@code details} are nodes and roles ({@code node1 -> node2}, {@code Unpromoted -> Promoted node1}, or the fenced
     * node); {@code reason} is empty, {@code due to ...} (with {@code (blocked)} when the action cannot happen) or
     * {@code blocked}; for a fence, why the node is fenced.
     */
    public record Change(String kind, String resource, String details, String reason) {
        public boolean blocked() { return reason.endsWith("(blocked)") || reason.equals("blocked"); }
    }

    public Transition {
        actions = List.copyOf(actions);
        java.util.TreeMap<String, Map<String, Score>> s = new java.util.TreeMap<>();
        scores.forEach((k, v) -> s.put(k, Maps.sorted(v)));
        scores = java.util.Collections.unmodifiableSortedMap(s);
        notPlaced = Maps.sorted(notPlaced);
        changes = List.copyOf(changes);
    }

    public Transition(List<PlannedAction> actions, Map<String, Map<String, Score>> scores, Map<String, String> notPlaced) {
        this(actions, scores, notPlaced, List.of());
    }

    public boolean isEmpty() { return actions.isEmpty(); }
}
