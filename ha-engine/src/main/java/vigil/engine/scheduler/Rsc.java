package vigil.engine.scheduler;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;

/**
 * A resource as one planning run sees it: a primitive, a group, a clone, or an instance of a clone (a copy of its
 * primitive or group, {@code drbd:0}). Holds its status (where it runs, in which role, whether it failed), its scores
 * on the nodes, where it was placed and in which role, and its actions.
 */
final class Rsc {
    enum Variant { PRIMITIVE, GROUP, CLONE }

    final String id;
    /** The configured id: for a clone instance {@code drbd:1} it is {@code drbd}. */
    final String configId;
    final Variant variant;
    final Resource config;
    Rsc parent;
    /** A group's members or a clone's instances (a primitive has none, and shares one empty list). */
    final List<Rsc> children;
    /** The id its meta container names (its own or its group's), or null. */
    String containerId;
    /** The primitive it runs inside (meta container; a guest node's connection has its VM), or null. */
    Rsc container;
    /** The primitives whose container it is. */
    List<Rsc> fillers = List.of();
    /** A number that keeps equal-priority resources in configuration order. */
    int order;

    // ---------------------------------------------------------------- meta attributes
    int priority;
    int stickiness;
    int migrationThreshold = Scores.INF;
    Duration failureTimeout = Duration.ZERO;
    String multipleActive = "stop_start";
    Role targetRole;
    boolean managed = true;
    /** Why it is left alone although configured managed (e.g. no fence device while stonith-enabled), or null. */
    String unmanagedWhy;
    boolean unique;
    boolean promotable;
    boolean critical = true;
    boolean allowMigrate;
    boolean notify;
    boolean interleave;
    boolean orderedClone;
    int cloneMax;
    int cloneNodeMax = 1;
    int promotedMax = 1;
    int promotedNodeMax = 1;
    boolean needsQuorum = true;
    boolean needsFencing;
    Map<String, Integer> utilization = Map.of();
    /**
     * A primitive's recurring monitor interval in ms outside the Promoted role and in it, -1 for none: read while its
     * configuration is being unpacked, as its actions are made when that is no longer in the CPU's caches.
     */
    long monitorMs = -1;
    long promotedMonitorMs = -1;
    /** Nodes its placement-strategy refused it for lack of capacity, and why (a map of its own from the first). */
    Map<SchedNode, String> noRoom = Map.of();

    // ---------------------------------------------------------------- status
    Role role = Role.STOPPED;
    /** Null until decided (Pacemaker's "unknown"). */
    Role nextRole;
    String nextRoleWhy = "";
    /** Mostly one node or none ({@link NodeList}). */
    final NodeList runningOn = new NodeList();
    /** Nodes with a record of it ({@link #addKnownOn}). */
    Set<SchedNode> knownOn = Set.of();
    boolean failed;
    /** Its failure needs a stop (not just a demotion) to recover. */
    boolean stopToRecover;
    boolean orphan;
    boolean blocked;
    boolean startPending;
    boolean stopUnexpected;
    /** While its restart actions (down to Stopped and back) are being created. */
    boolean restarting;
    SchedNode pendingNode;
    /** Where a promote of it is in flight (recorded pending on a node that is up). */
    SchedNode promotePending;
    SchedNode migrationSource;
    SchedNode migrationTarget;
    /** Fail counts per node with a record (failures not expired; {@link #recordFailCount}). */
    Map<SchedNode, Integer> failCount = Map.of();
    /** Nodes it is banned from after reaching migration-threshold there. */
    Set<SchedNode> failBanned = Set.of();
    /**
     * A failure on record had on-fail=ignore: its migration-threshold is not applied on any node (Pacemaker: the
     * failure is treated as if it had not happened, though the fail count still shows it).
     */
    boolean failuresIgnored;

    /** Notes a record of it on {@code node}; most resources have records on one node, held without a set of their own. */
    void addKnownOn(SchedNode node) {
        if (knownOn.isEmpty()) {
            knownOn = Set.of(node);
        } else if (!knownOn.contains(node)) {
            if (!(knownOn instanceof HashSet)) knownOn = new HashSet<>(knownOn);
            knownOn.add(node);
        }
    }

    /** How many of {@link #failCount}'s counts are above zero (reading the map's values makes objects). */
    private int nodesFailedOn;

    /** Its fail count on {@code node}; most resources have records on one node, held without a map of their own. */
    void recordFailCount(SchedNode node, int count) {
        Integer old = failCount.get(node);
        if (old != null && old > 0) nodesFailedOn--;
        if (count > 0) nodesFailedOn++;
        if (failCount.isEmpty()) {
            failCount = Map.of(node, count);
            return;
        }
        if (!(failCount instanceof HashMap)) failCount = new HashMap<>(failCount);
        failCount.put(node, count);
    }

    /** Whether it has a fail count above zero on some node. */
    boolean failedSomewhere() { return nodesFailedOn > 0; }

    /** The failures that count toward its migration-threshold on {@code node}: its own and its fillers' (they restart it). */
    int failuresOn(SchedNode node) {
        int fails = failCount.getOrDefault(node, 0);
        for (int i = 0; i < fillers.size(); i++) fails += fillers.get(i).failCount.getOrDefault(node, 0);
        return fails;
    }

    // ---------------------------------------------------------------- placement
    NodeWeights allowed;
    SchedNode assigned;
    /** Its score on {@link #assigned} when it was placed there. */
    int assignedWeight;
    boolean provisional = true;
    boolean allocating;
    boolean merging;
    // most resources have no colocations or locations: they share one empty list until the first (see editable)
    List<Coloc> thisWith = List.of();
    List<Coloc> withThis = List.of();
    List<Loc> locations = List.of();
    /** Promotion: an instance's promotion priority, and the index clones sort their instances by. */
    int promotionPriority;
    int sortIndex;
    boolean promotedConstraintsApplied;
    /** A clone while placing its instances: instances (then promoted instances) per node. */
    int[] instanceCount;

    /**
     * The node it counts as active on (Pacemaker's pe__find_active_on): a partial migration's source; for a resource
     * that needs no fencing the first node that is up; else the first.
     */
    SchedNode activeNode() {
        SchedNode active = null;
        for (int i = 0; i < runningOn.size(); i++) {
            SchedNode n = runningOn.get(i);
            boolean happy = n.online && !n.unclean;
            if (migrationSource != null) {
                if (n == migrationSource) active = n;
            } else if (!needsFencing) {
                if (happy && (active == null || !active.online || active.unclean)) active = n;
            }
            if (active == null) active = n;
        }
        return active;
    }

    // ---------------------------------------------------------------- actions
    /** Mostly a few (a primitive's start, stop, monitor): room for four at first rather than ArrayList's ten. */
    final List<Act> actions = new ArrayList<>(4);

    Rsc(String id, String configId, Variant variant, Resource config) {
        this.id = id;
        this.configId = configId;
        this.variant = variant;
        this.config = config;
        this.children = variant == Variant.PRIMITIVE ? List.of() : new ArrayList<>();
    }

    /** {@code list} itself when it can be added to, else a new list of what it holds (a shared empty list). */
    static <T> List<T> editable(List<T> list) {
        return list instanceof ArrayList ? list : new ArrayList<>(list);
    }

    /** A clone instance's number ({@code drbd:2} -> 2), -1 for anything else. */
    int instanceNumber() {
        int c = id.lastIndexOf(':');
        if (c < 0 || parent == null || !parent.isClone()) return -1;
        try {
            return Integer.parseInt(id.substring(c + 1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    boolean isPrimitive() { return variant == Variant.PRIMITIVE; }

    boolean isGroup() { return variant == Variant.GROUP; }

    boolean isClone() { return variant == Variant.CLONE; }

    Primitive primitive() { return (Primitive) config; }

    /** The top-level resource this one belongs to. */
    Rsc top() {
        Rsc r = this;
        while (r.parent != null) r = r.parent;
        return r;
    }

    /** The clone this resource is an instance of (or inside of), or null. */
    Rsc cloneParent() {
        for (Rsc r = parent; r != null; r = r.parent) if (r.isClone()) return r;
        return null;
    }

    boolean inPromotable() {
        Rsc c = cloneParent();
        return c != null && c.promotable;
    }

    boolean isAncestorOf(Rsc other) {
        for (Rsc r = other.parent; r != null; r = r.parent) if (r == this) return true;
        return false;
    }

    /** Every primitive inside this resource (itself if a primitive). */
    List<Rsc> primitives() {
        if (isPrimitive()) {
            if (itself == null) itself = List.of(this);
            return itself;
        }
        List<Rsc> out = new ArrayList<>();
        collect(out);
        return out;
    }

    /** A primitive's {@link #primitives()}, made once. */
    private List<Rsc> itself;

    private void collect(List<Rsc> out) {
        if (isPrimitive()) out.add(this);
        else for (Rsc c : children) c.collect(out);
    }

    /** Where it is active now (for a group or clone: where any of its primitives is). */
    List<SchedNode> currentNodes() { return runningOn; }

    /** The first node it is active on (Pacemaker's pe__current_node). */
    SchedNode currentNode() { return runningOn.isEmpty() ? null : runningOn.get(0); }

    /** Where it was placed (for a group: where its first member was). */
    SchedNode location() {
        if (isPrimitive()) return assigned;
        if (isGroup()) return children.isEmpty() ? null : children.get(0).location();
        return null;
    }

    boolean isActive() { return !runningOn.isEmpty(); }

    /** The highest current (or next) role among its primitives. */
    Role state(boolean current) {
        if (isPrimitive()) {
            Role r = current ? role : nextRole;
            return r == null ? Role.STOPPED : r;
        }
        Role best = Role.STOPPED;
        for (Rsc c : children) {
            Role r = c.state(current);
            if (rank(r) > rank(best)) best = r;
        }
        return best;
    }

    static int rank(Role r) {
        if (r == null) return 0;
        switch (r) {
            case STOPPED: return 1;
            case STARTED: return 2;
            case UNPROMOTED: return 3;
            default: return 4;
        }
    }

    @Override
    public String toString() { return id; }
}
