package vigil.engine.scheduler;

import java.util.LinkedHashMap;
import java.util.Map;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;

/**
 * Pacemaker's scheduler as a pure function: {@code plan(state)} depends on nothing but {@code state} ({@code state.now()}
 * is its only clock) and returns the same transition, action for action, for equal states.
 *
 * <p>It follows Pacemaker 2.1's phases, one file each (semantics from "Pacemaker Explained" and from what
 * crm_simulate decides on Pacemaker's own regression inputs):
 * <ol>
 * <li>{@link StatusUnpacker}: nodes, the resource tree with clone instances, where each resource runs and failed;</li>
 * <li>{@link Locations}: location constraints, stickiness, migration-threshold bans;</li>
 * <li>{@link Colocations} and {@link Orderings}: the configured constraints resolved onto resources;
 *     {@link CollectiveActions}: what holds groups and clones together;</li>
 * <li>placement, in priority order: {@link PrimitiveAssigner}, {@link GroupAssigner}, {@link CloneAssigner} and
 *     {@link Promotion}, with {@link Utilization};</li>
 * <li>actions: {@link PrimitiveActions}, {@link CollectiveActions}, {@link Migration}, {@link Notifications};
 *     {@link Fencing}; {@link RemoteNodes}: nodes reached through a connection resource; {@link GuestNodes}: those
 *     whose connection runs inside a VM or container, and resources contained in another;</li>
 * <li>{@link ActionGraph}: what the orderings imply (required, unrunnable, and why);</li>
 * <li>{@link Summary} and {@link TransitionBuilder}: the transition summary and the plan of actions.</li>
 * </ol>
 * One step is Vigil's own: {@link DualPrimaryWindow} turns the stop and start of an allow-migrate VM whose DRBD
 * promotion moves with it into a live migration.
 */
public final class Scheduler {
    private Scheduler() {}

    /** Plans without recording every resource's score on every node (see {@link #plan(ClusterState, boolean)}). */
    public static Transition plan(ClusterState state) { return plan(state, false); }

    /**
     * @param withScores also fill {@link Transition#scores()} with every resource's score on every node when it was
     *                   placed (what {@code simulate --show-scores} prints)
     */
    public static Transition plan(ClusterState state, boolean withScores) {
        WorkingSet ws = new WorkingSet(state, withScores);
        StatusUnpacker.unpack(ws);
        Locations.apply(ws);
        Colocations.unpack(ws);
        Orderings.unpack(ws);
        for (Rsc r : ws.resources) CollectiveActions.internalConstraints(ws, r);
        RemoteNodes.internalConstraints(ws);
        GuestNodes.internalConstraints(ws);
        Utilization.sortResources(ws);
        RemoteNodes.placeConnections(ws);
        for (Rsc r : ws.resources) PrimitiveAssigner.place(ws, r, null);
        ParameterChanges.check(ws);
        for (Rsc r : ws.resources) CollectiveActions.create(ws, r);
        RemoteNodes.order(ws);
        Fencing.schedule(ws);
        Orderings.apply(ws);
        ActionGraph.update(ws);
        Transition transition = TransitionBuilder.build(ws);
        // nothing a window could open on: no need to index the constraints
        return ws.anyPromotableCloneOfPrimitive ? DualPrimaryWindow.apply(state, transition) : transition;
    }

    /** Records a resource's scores when it is placed (for {@code --show-scores}). */
    static void recordScores(WorkingSet ws, Rsc rsc) {
        if (!ws.withScores) return;
        Map<String, Score> m = new LinkedHashMap<>();
        for (SchedNode n : ws.nodes) if (rsc.allowed.has(n.index)) m.put(n.id, Score.of(rsc.allowed.get(n.index)));
        ws.scores.put(rsc.id, m);
    }
}
