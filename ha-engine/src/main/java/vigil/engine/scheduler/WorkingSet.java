package vigil.engine.scheduler;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.ResourceState;

/**
 * Everything one planning run works on (Pacemaker's working set): the nodes, the resource tree with clone instances,
 * the constraints resolved to them, and the actions and orderings created so far. Created from a {@link ClusterState}
 * and thrown away after the run; nothing in it outlives {@link Scheduler#plan}.
 */
final class WorkingSet {
    final ClusterState state;
    final ClusterConfig cfg;
    final ClusterProperties props;
    final Instant now;
    final boolean withScores;

    SchedNode[] nodes = new SchedNode[0];
    /** Whether some of {@link #nodes} are Pacemaker Remote or guest nodes. */
    boolean anyRemoteNodes;
    // what most configurations lack, noted while unpacking, so that a plan over thousands of resources skips the pass
    // over all of them that looks for it
    /** Some primitive names a container (meta container). */
    boolean anyContainer;
    /** Some record has a start that recorded the digest of its parameters ({@link ParameterChanges}). */
    boolean anyStartDigest;
    /** Some resource is a promotable clone of a primitive (what a {@link DualPrimaryWindow} can open on). */
    boolean anyPromotableCloneOfPrimitive;
    final Map<String, SchedNode> nodeById = new HashMap<>();
    /** Top-level resources in Pacemaker's processing order: by priority, then configuration order. */
    final List<Rsc> resources = new ArrayList<>();
    /** Every resource by id, including group members, clone instances ({@code drbd:0}) and orphans. */
    final Map<String, Rsc> rscById;
    /** Configured ids (a clone's child, a primitive inside a cloned group) -> the resource an orphan's status belongs to. */
    final Map<String, Rsc> byConfigId = new HashMap<>();
    final List<Coloc> colocations = new ArrayList<>();
    final List<Loc> locations = new ArrayList<>();
    final List<Act> actions;
    final List<Ordering> orderings;
    /** Every action of no resource (the fences among them) by key; the summary finds the fences here. */
    final Map<String, Act> pseudoByKey = new HashMap<>();
    /**
     * For each action that is runnable when some of the actions before it are ({@link Act#REQUIRES_ANY}): how many.
     * Such actions are rare, and a field would make every action bigger.
     */
    final Map<Act, Integer> requiredRunnableBefore = new HashMap<>();

    boolean haveQuorum;
    boolean stonithEnabled;
    boolean symmetric;
    boolean haveFenceDevice;
    NoQuorumPolicy noQuorumPolicy;
    String placementStrategy = "default";
    /** placement-strategy minimal, balanced: node comparisons ask per node and resource. */
    boolean minimalPlacement;
    boolean balancedPlacement;
    String stonithAction = "reboot";
    boolean stopEverything;

    /** Why resources that are not placed anywhere are not (resource id -> reasons per node), as before. */
    final Map<String, String> notPlaced = new TreeMap<>();
    final Map<String, Map<String, Score>> scores = new TreeMap<>();

    WorkingSet(ClusterState state, boolean withScores) {
        this.state = state;
        this.cfg = state.config();
        this.props = cfg.properties();
        this.now = state.now();
        this.withScores = withScores;
        // sized so that the configured resources (and some members and instances) go in without rehashing
        this.rscById = new HashMap<>(2 * cfg.resources().size());
        // a primitive has mostly a start, a monitor and a stop where it runs, and about as many orderings: the lists are
        // sized for three each rather than copied over and over as they grow
        this.actions = new ArrayList<>(3 * cfg.resources().size());
        this.orderings = new ArrayList<>(3 * cfg.resources().size());
        this.haveQuorum = state.hasQuorum();
        this.stonithEnabled = props.stonithEnabled();
        this.symmetric = props.symmetricCluster();
        this.noQuorumPolicy = props.noQuorumPolicy();
        String ps = props.other().get("placement-strategy");
        if (ps != null) this.placementStrategy = ps.trim().toLowerCase(java.util.Locale.ROOT);
        this.minimalPlacement = placementStrategy.equals("minimal");
        this.balancedPlacement = placementStrategy.equals("balanced");
        String sa = props.other().get("stonith-action");
        if (sa != null && !sa.isBlank()) this.stonithAction = sa.trim().equals("poweroff") ? "off" : sa.trim();
        // stop-all-resources: every managed resource is placed nowhere
        String sar = props.other().get("stop-all-resources");
        this.stopEverything = sar != null && List.of("true", "yes", "on", "y", "1").contains(sar.trim().toLowerCase(java.util.Locale.ROOT));
    }

    /** For {@link Colocations}: a resource's best score per attribute value, refilled for each merge step. */
    int[] bestByValue;

    /** Node attribute name -> {@link #attributeValues}, filled as colocations ask (nodes' attributes are set by then). */
    private final Map<String, int[]> attributeValues = new HashMap<>();

    SchedNode node(String id) { return nodeById.get(id); }

    /**
     * Each node's value of {@code attr} as a small number (below the number of nodes), the same for two nodes exactly
     * when their values are equal ignoring case; a node without the attribute has the value "null". Colocations
     * compare nodes by attribute for every resource they place, so the values are folded once per run.
     */
    int[] attributeValues(String attr) {
        int[] out = attributeValues.get(attr); // (computeIfAbsent would make a lambda per call)
        if (out != null) return out;
        Map<String, Integer> numbers = new HashMap<>();
        out = new int[nodes.length];
        for (SchedNode n : nodes) out[n.index] = numbers.computeIfAbsent(Colocations.foldCase(String.valueOf(n.attribute(attr))), v -> numbers.size());
        attributeValues.put(attr, out);
        return out;
    }

    /** Node attribute name -> {@link #hasAttribute}, filled as colocations ask. */
    private final Map<String, boolean[]> hasAttribute = new HashMap<>();

    /** Whether each node (by index) has {@code attr}, worked out once per run. */
    boolean[] hasAttribute(String attr) {
        boolean[] out = hasAttribute.get(attr);
        if (out != null) return out;
        out = new boolean[nodes.length];
        for (SchedNode n : nodes) out[n.index] = n.attribute(attr) != null;
        hasAttribute.put(attr, out);
        return out;
    }

    Rsc rsc(String id) { return rscById.get(id); }

    /**
     * The state's records by primitive id, in a hash map: the state's own map is sorted, and looking up thousands of
     * resources in a tree of thousands walked a path of string comparisons each time.
     */
    private Map<String, Map<String, ResourceState>> recordsById;

    /** Forgets the resources unpacked so far, and what was noted about them, so that they can be built again. */
    void forgetResources() {
        resources.clear();
        rscById.clear();
        byConfigId.clear();
        anyContainer = false;
        anyPromotableCloneOfPrimitive = false;
    }

    /** The records of primitive {@code id} by node, or null when there are none. */
    Map<String, ResourceState> records(String id) {
        if (recordsById == null) {
            recordsById = new HashMap<>((int) (state.resources().size() / 0.75f) + 1);
            recordsById.putAll(state.resources());
        }
        return recordsById.get(id);
    }

    /** The record of primitive {@code id} on {@code node}, or null. */
    ResourceState record(String id, String node) {
        Map<String, ResourceState> onNodes = records(id);
        return onNodes == null ? null : onNodes.get(node);
    }

    NodeWeights newWeights() { return new NodeWeights(nodes.length); }

    // ---------------------------------------------------------------- actions

    /**
     * Finds or creates {@code rsc}'s action {@code task} on {@code node} (Pacemaker's custom_action): an existing one
     * stays, made required if {@code optional} is false; a new one is optional or required as asked. Whether it can
     * run follows from its node and the quorum policy.
     */
    Act action(Rsc rsc, String task, SchedNode node, boolean optional) {
        return action(rsc, task, 0, node, optional);
    }

    Act action(Rsc rsc, String task, long intervalMs, SchedNode node, boolean optional) {
        Act a = find(rsc, task, intervalMs, node);
        if (a == null) {
            a = new Act(actions.size(), task, rsc, node, intervalMs, Act.RUNNABLE | (optional ? Act.OPTIONAL : 0));
            actions.add(a);
            rsc.actions.add(a);
        }
        if (!rsc.managed && intervalMs == 0 && node != null) a.set(Act.OPTIONAL);
        else if (!optional) a.clear(Act.OPTIONAL);
        updateRunnable(a);
        return a;
    }

    /** A pseudo action of a collective resource ({@code clone_running_0}) or of none ({@code stonith_complete}). */
    Act pseudo(Rsc rsc, String task, boolean optional) {
        Act a = rsc == null ? pseudoByKey.get(task) : find(rsc, task, 0, null);
        if (a == null) {
            a = new Act(actions.size(), task, rsc, null, 0, Act.RUNNABLE | Act.PSEUDO | (optional ? Act.OPTIONAL : 0));
            actions.add(a);
            if (rsc != null) rsc.actions.add(a); else pseudoByKey.put(task, a);
        } else if (!optional) {
            a.clear(Act.OPTIONAL);
        }
        return a;
    }

    /** An action with no resource on a node: a fence. */
    Act nodeAction(String task, SchedNode node, boolean optional) {
        String key = task + "-" + node.id;
        Act a = pseudoByKey.get(key);
        if (a == null) {
            a = new Act(actions.size(), task, null, node, 0, Act.RUNNABLE | (optional ? Act.OPTIONAL : 0));
            actions.add(a);
            pseudoByKey.put(key, a);
        } else if (!optional) {
            a.clear(Act.OPTIONAL);
        }
        return a;
    }

    /** {@code rsc}'s action with this task and interval on {@code node} (its key {@code rsc_task_interval}), or null. */
    static Act find(Rsc rsc, String task, long intervalMs, SchedNode node) {
        for (int i = 0; i < rsc.actions.size(); i++) {
            Act a = rsc.actions.get(i);
            if (a.intervalMs == intervalMs && a.node == node && a.task.equals(task)) return a;
        }
        return null;
    }

    /** {@code rsc}'s actions with this task (on {@code node}, or anywhere when null), newest first as Pacemaker lists them. */
    static List<Act> find(Rsc rsc, String task, SchedNode node, boolean anyNode) {
        List<Act> out = new ArrayList<>();
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Act a = rsc.actions.get(i);
            if (a.task.equals(task) && a.intervalMs == 0 && (anyNode || a.node == node)) out.add(a);
        }
        return out;
    }

    static Act first(Rsc rsc, String task, SchedNode node) {
        for (int i = rsc.actions.size() - 1; i >= 0; i--) {
            Act a = rsc.actions.get(i);
            if (a.task.equals(task) && a.intervalMs == 0 && (node == null || a.node == null || a.node == node)) return a;
        }
        return null;
    }

    /** Whether an action of a resource can run: its node is up, and quorum allows it (Pacemaker's runnable checks). */
    void updateRunnable(Act a) {
        if (a.pseudo() || a.rsc == null) return;
        if (a.node == null) {
            a.clear(Act.RUNNABLE);
        } else if (!a.node.online) {
            a.clear(Act.RUNNABLE);
            if (a.rsc.managed && a.task.equals("stop") && !a.node.unclean) Fencing.fence(this, a.node, "stop is unrunnable");
        } else if (a.node.pending) {
            a.clear(Act.RUNNABLE);
        } else if (a.needs() == Act.Needs.NOTHING) {
            a.reason = null;
            a.set(Act.RUNNABLE);
        } else {
            switch (effectiveQuorumPolicy(a.rsc)) {
                case STOP, SUICIDE -> {
                    a.clear(Act.RUNNABLE);
                    a.reason = "no quorum";
                }
                case FREEZE -> {
                    if (!a.rsc.isActive() || Rsc.rank(a.rsc.nextRole) > Rsc.rank(a.rsc.role)) {
                        a.clear(Act.RUNNABLE);
                        a.reason = "quorum freeze";
                    }
                }
                default -> a.set(Act.RUNNABLE);
            }
        }
    }

    NoQuorumPolicy effectiveQuorumPolicy(Rsc rsc) {
        if (haveQuorum) return NoQuorumPolicy.IGNORE;
        if (noQuorumPolicy == NoQuorumPolicy.DEMOTE) {
            if (rsc.role == vigil.api.model.Role.PROMOTED || rsc.role == vigil.api.model.Role.UNPROMOTED) {
                if (rsc.nextRole == vigil.api.model.Role.PROMOTED) {
                    rsc.nextRole = vigil.api.model.Role.UNPROMOTED;
                    rsc.nextRoleWhy = "no-quorum-policy=demote";
                }
                return NoQuorumPolicy.IGNORE;
            }
            return NoQuorumPolicy.STOP;
        }
        return noQuorumPolicy;
    }

    // ---------------------------------------------------------------- orderings

    /** An ordering between resource-level actions, resolved to the actions once they exist. */
    void order(Rsc firstRsc, String firstTask, Act firstAct, Rsc thenRsc, String thenTask, Act thenAct, int flags) {
        orderings.add(new Ordering(firstRsc, firstTask, firstAct, thenRsc, thenTask, thenAct, flags));
    }

    void order(Rsc first, String firstTask, Rsc then, String thenTask, int flags) {
        order(first, firstTask, null, then, thenTask, null, flags);
    }

    /**
     * Orders two existing actions directly (Pacemaker's order_actions). An ordering between the same two actions is
     * added again unless one already there implies all it does: every ordering has the optional bit, so testing for a
     * shared bit (as Pacemaker 2.1 does) would let an optional or serializing order hide a mandatory one.
     */
    static boolean orderActions(Act first, Act then, int type) {
        if (first == null || then == null || first == then || type == Ordering.NONE) return false;
        for (int i = 0; i < first.after().size(); i++) if (first.after().other(i) == then && (first.after().type(i) & type) == type) return false;
        first.addAfter(then, type);
        return true;
    }
}
