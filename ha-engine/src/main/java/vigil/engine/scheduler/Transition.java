package vigil.engine.scheduler;

import java.util.List;
import java.util.Map;
import vigil.api.model.Maps;
import vigil.api.model.Score;

/**
 * What the scheduler decided for one cluster state: a DAG of actions (each lists the ids it waits for),
 * the allocation scores it used (resource -> node -> score, for {@code simulate --show-scores}), and for every
 * resource it could not place, why ({@code vm1 -> "node2: -INFINITY from location ban-vm1; ..."}).
 */
public record Transition(List<PlannedAction> actions, Map<String, Map<String, Score>> scores, Map<String, String> notPlaced) {
    public static final Transition EMPTY = new Transition(List.of(), Map.of(), Map.of());

    public Transition {
        actions = List.copyOf(actions);
        java.util.TreeMap<String, Map<String, Score>> s = new java.util.TreeMap<>();
        scores.forEach((k, v) -> s.put(k, Maps.sorted(v)));
        scores = java.util.Collections.unmodifiableSortedMap(s);
        notPlaced = Maps.sorted(notPlaced);
    }

    public boolean isEmpty() { return actions.isEmpty(); }
}
