package vigil.lab;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.NodeRole;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.engine.executor.Ledger;

/**
 * Proves that no resource was ever active on more nodes than it may be, from two records the cluster does not keep
 * itself, and with node deaths only as the harness caused or saw them (never the cluster's own fence records, which a
 * fence device that lies would fill with deaths that did not happen):
 *
 * <ul>
 *   <li>the executors' ledgers (fsync'ed begin / end lines of every start, stop, promote, demote and migration), and
 *   <li>the workload's own {@link Evidence} (what the lab's services say they did, tick by tick).
 * </ul>
 *
 * A resource counts as active on a node from the moment its start (or migrate_from, or promote) began until its stop
 * (or migrate_to) ended successfully there, or the node's process died; a failed stop keeps it active. A node that was
 * paused (SIGSTOP) or cut off keeps what it ran: it is active there until the harness saw it die or its own evidence or
 * ledger shows it stopped. On each record it checks, at every moment: active instances per node &lt;= clone-node-max,
 * in all &lt;= clone-max (1 for a primitive), promoted &lt;= promoted-max (one more only inside a dual-primary window of a
 * driver that declares it). It cross-checks the records: every stretch of evidence lies inside a stretch the ledger
 * records on the same node, every successful start or promote of a resource that leaves evidence has evidence, and
 * nothing ticks after its stop line or after its process died.
 */
public final class ActivityChecker {
    private ActivityChecker() {}

    /** A node process's end, as the harness did or saw it: its own SIGKILL, or the exit it observed (a fence, a watchdog). */
    public record Death(String node, long pid, long epochNanos, String cause) {
        @Override
        public String toString() { return node + " (pid " + pid + ") at " + Evidence.instant(epochNanos) + ": " + cause; }
    }

    /**
     * How many instances of a primitive may be active at once: in all, per node, and promoted (for a promotable);
     * {@code dualPrimary} when its driver declares that two may be promoted inside a live-migration window.
     */
    public record Limits(int total, int perNode, boolean promotable, int promoted, boolean dualPrimary) {
        public static final Limits SINGLE = new Limits(1, 1, false, 0, false);
    }

    /** One stretch of activity (or of being promoted) of a primitive on a node, from one record. */
    public record Interval(String source, String resource, String node, String instance, boolean promoted, long fromNanos,
                           long toNanos, String endedBy) {
        boolean covers(Interval o) { return fromNanos <= o.fromNanos && o.toNanos <= toNanos; }

        boolean contains(long t) { return fromNanos <= t && t <= toNanos; }

        @Override
        public String toString() {
            return instance + (promoted ? " promoted" : "") + " on " + node + " from " + Evidence.instant(fromNanos) + " to "
                    + Evidence.instant(toNanos) + " (" + endedBy + "; " + source + ")";
        }
    }

    /** Inside [from, to) a dual-primary resource may have one more promoted instance than promoted-max. */
    public record Window(String resource, long fromNanos, long toNanos) {}

    public record Violation(String rule, String resource, String detail) {
        @Override
        public String toString() { return rule + ": " + detail; }
    }

    /**
     * The limits of every primitive of {@code config}: a clone's from its clone-max (default: the member nodes),
     * clone-node-max and promoted-max; every other primitive may be active once.
     */
    public static Map<String, Limits> limits(ClusterConfig config, Predicate<Primitive> dualPrimary) {
        int members = (int) config.nodes().stream().filter(n -> n.role() == NodeRole.MEMBER).count();
        Map<String, Limits> out = new TreeMap<>();
        for (Resource r : config.resources()) {
            for (Primitive p : r.primitives()) {
                if (r instanceof Clone c) {
                    out.put(p.id(), new Limits(c.meta().cloneMax().orElse(members), c.meta().cloneNodeMax(), c.promotable(),
                            c.promotable() ? c.meta().promotedMax() : 0, c.promotable() && dualPrimary.test(p)));
                } else {
                    out.put(p.id(), Limits.SINGLE);
                }
            }
        }
        return out;
    }

    /**
     * Every violation of the rules above. {@code evidenced} names the resources whose services leave evidence; a
     * ledger key {@code id:n} (a clone instance) counts for primitive {@code id}; a resource not in {@code limits} is
     * checked as a primitive.
     */
    public static List<Violation> check(List<Ledger.Entry> ledger, List<Evidence.Activation> evidence, List<Death> deaths,
                                        Map<String, Limits> limits, Set<String> evidenced) {
        List<Violation> out = new ArrayList<>();
        List<Interval> fromLedger = ledgerIntervals(ledger, deaths);
        List<Interval> fromEvidence = evidenceIntervals(evidence, deaths);
        List<Window> windows = windows(ledger, deaths, limits);
        counts(fromLedger, limits, windows, out);
        counts(fromEvidence, limits, windows, out);
        crossCheck(ledger, fromLedger, fromEvidence, evidenced, out);
        afterStopOrDeath(evidence, deaths, out);
        return out;
    }

    /** The primitive a ledger key belongs to: {@code web:1} is instance 1 of clone primitive {@code web}. */
    static String primitive(String key) {
        int colon = key.lastIndexOf(':');
        return colon < 0 ? key : key.substring(0, colon);
    }

    /** Stretches of activity and of promotion from the ledgers, ended by a successful stop or the node's death. */
    static List<Interval> ledgerIntervals(List<Ledger.Entry> entries, List<Death> deaths) {
        record Event(long ns, int order, Ledger.Entry entry, Death death) {}
        List<Event> events = new ArrayList<>();
        for (Ledger.Entry e : entries) events.add(new Event(e.epochNanos(), 1, e, null));
        for (Death d : deaths) events.add(new Event(d.epochNanos(), 0, null, d));
        events.sort(Comparator.comparingLong(Event::ns).thenComparingInt(Event::order));
        Map<String, Map<String, Long>> active = new TreeMap<>(); // key -> node -> since
        Map<String, Map<String, Long>> promoted = new TreeMap<>();
        List<Interval> out = new ArrayList<>();
        for (Event ev : events) {
            if (ev.death() != null) {
                String node = ev.death().node();
                String cause = ev.death().cause();
                close(active, node, ev.ns(), cause, false, out);
                close(promoted, node, ev.ns(), cause, true, out);
                continue;
            }
            Ledger.Entry e = ev.entry();
            String node = e.node();
            Map<String, Long> on = active.computeIfAbsent(e.resource(), k -> new HashMap<>());
            Map<String, Long> onPromoted = promoted.computeIfAbsent(e.resource(), k -> new HashMap<>());
            boolean ok = !e.isBegin() && e.rc() == 0;
            switch (e.action()) {
                case "start", "migrate_from" -> {
                    if (e.isBegin()) on.putIfAbsent(node, e.epochNanos());
                }
                case "promote" -> {
                    if (e.isBegin()) {
                        on.putIfAbsent(node, e.epochNanos());
                        onPromoted.putIfAbsent(node, e.epochNanos());
                    }
                }
                case "demote" -> {
                    if (ok) end(onPromoted, e, "demoted", true, out);
                }
                case "stop" -> {
                    if (ok) {
                        end(onPromoted, e, "stopped", true, out);
                        end(on, e, "stopped", false, out);
                    }
                }
                case "migrate_to" -> {
                    // a live migration hands the resource over: it runs on the target from migrate_from on
                    if (ok) {
                        end(onPromoted, e, "migrated away", true, out);
                        end(on, e, "migrated away", false, out);
                    }
                }
                default -> { }
            }
        }
        for (var open : List.of(active, promoted)) {
            boolean p = open == promoted;
            open.forEach((key, perNode) -> perNode.forEach((node, since) ->
                    out.add(new Interval("ledger", primitive(key), node, key, p, since, Long.MAX_VALUE, "still active"))));
        }
        return out;
    }

    private static void end(Map<String, Long> perNode, Ledger.Entry e, String why, boolean promoted, List<Interval> out) {
        Long since = perNode.remove(e.node());
        if (since != null) out.add(new Interval("ledger", primitive(e.resource()), e.node(), e.resource(), promoted, since, e.epochNanos(), why));
    }

    private static void close(Map<String, Map<String, Long>> open, String node, long at, String cause, boolean promoted, List<Interval> out) {
        open.forEach((key, perNode) -> {
            Long since = perNode.remove(node);
            if (since != null) out.add(new Interval("ledger", primitive(key), node, key, promoted, since, at, cause));
        });
    }

    /** Stretches of activity and of promotion from the evidence, ended by the stop line or the death of the process. */
    static List<Interval> evidenceIntervals(List<Evidence.Activation> activations, List<Death> deaths) {
        List<Interval> out = new ArrayList<>();
        for (Evidence.Activation a : activations) {
            long end = a.stopNanos();
            String why = end == Long.MAX_VALUE ? "still active" : "stop line";
            Death d = deathOf(a, deaths);
            if (d != null && d.epochNanos() < end) {
                end = d.epochNanos();
                why = d.cause();
            }
            out.add(new Interval("evidence", a.resource(), a.node(), a.id(), false, a.startNanos(), end, why));
            for (long[] p : a.promotions()) {
                long to = Math.min(p[1], end);
                boolean demoted = p[1] != Long.MAX_VALUE && p[1] != a.stopNanos() && to == p[1];
                out.add(new Interval("evidence", a.resource(), a.node(), a.id(), true, p[0], to, demoted ? "demote line" : why));
            }
        }
        return out;
    }

    /** The death of the process that wrote {@code a}: the first of its node and pid after the activation began (pids are reused). */
    private static Death deathOf(Evidence.Activation a, List<Death> deaths) {
        Death first = null;
        for (Death d : deaths) {
            if (d.node().equals(a.node()) && d.pid() == a.pid() && d.epochNanos() >= a.startNanos()
                    && (first == null || d.epochNanos() < first.epochNanos())) {
                first = d;
            }
        }
        return first;
    }

    /**
     * Dual-primary windows: for a resource whose driver declares dual-primary, from the beginning of a migrate_to (of
     * any resource) on a node until the resource is demoted or stopped on that node, or the node dies.
     */
    static List<Window> windows(List<Ledger.Entry> ledger, List<Death> deaths, Map<String, Limits> limits) {
        List<Window> out = new ArrayList<>();
        List<String> dual = limits.entrySet().stream().filter(e -> e.getValue().dualPrimary()).map(Map.Entry::getKey).toList();
        if (dual.isEmpty()) return out;
        for (Ledger.Entry m : ledger) {
            if (!m.action().equals("migrate_to") || !m.isBegin()) continue;
            for (String r : dual) {
                long to = Long.MAX_VALUE;
                for (Ledger.Entry e : ledger) {
                    if (e.node().equals(m.node()) && primitive(e.resource()).equals(r) && !e.isBegin() && e.rc() == 0
                            && (e.action().equals("demote") || e.action().equals("stop")) && e.epochNanos() > m.epochNanos()) {
                        to = Math.min(to, e.epochNanos());
                    }
                }
                for (Death d : deaths) if (d.node().equals(m.node()) && d.epochNanos() > m.epochNanos()) to = Math.min(to, d.epochNanos());
                out.add(new Window(r, m.epochNanos(), to));
            }
        }
        return out;
    }

    /** At every moment: instances per node, in all, and promoted, within the limits (checked per record). */
    static void counts(List<Interval> intervals, Map<String, Limits> limits, List<Window> windows, List<Violation> out) {
        Map<String, List<Interval>> byResource = new TreeMap<>();
        for (Interval i : intervals) byResource.computeIfAbsent(i.resource() + (i.promoted() ? "\u0000p" : ""), k -> new ArrayList<>()).add(i);
        for (List<Interval> list : byResource.values()) {
            Interval any = list.get(0);
            Limits lim = limits.getOrDefault(any.resource(), Limits.SINGLE);
            if (any.promoted() && !lim.promotable()) lim = new Limits(1, 1, true, 1, false); // promoted at most where it may run
            sweep(list, lim, windows, out);
        }
    }

    private static void sweep(List<Interval> list, Limits lim, List<Window> windows, List<Violation> out) {
        record Point(long ns, boolean start, Interval i) {}
        List<Point> points = new ArrayList<>();
        for (Interval i : list) {
            if (i.toNanos() <= i.fromNanos()) continue;
            points.add(new Point(i.fromNanos(), true, i));
            if (i.toNanos() != Long.MAX_VALUE) points.add(new Point(i.toNanos(), false, i));
        }
        // at equal times an end comes first: [from, to) intervals that only touch do not overlap
        points.sort(Comparator.comparingLong(Point::ns).thenComparing(p -> p.start()));
        Map<String, List<Interval>> onNode = new LinkedHashMap<>();
        List<Interval> all = new ArrayList<>();
        boolean reportedTotal = false;
        boolean reportedNode = false;
        for (Point p : points) {
            Interval i = p.i();
            if (!p.start()) {
                all.remove(i);
                onNode.getOrDefault(i.node(), new ArrayList<>()).remove(i);
                continue;
            }
            all.add(i);
            List<Interval> here = onNode.computeIfAbsent(i.node(), k -> new ArrayList<>());
            here.add(i);
            String what = i.resource() + (i.promoted() ? " promoted" : " active");
            // per node only for activity: promoted instances on one node are already instances on it
            if (!i.promoted() && !reportedNode && here.size() > lim.perNode()) {
                reportedNode = true;
                out.add(new Violation(lim.total() == 1 ? "active-twice" : "clone-node-max", i.resource(), what + " " + here.size()
                        + " times on " + i.node() + " at " + Evidence.instant(p.ns()) + " (at most " + lim.perNode() + ", per the "
                        + i.source() + "): " + here));
            }
            int max = i.promoted() ? lim.promoted() + (inWindow(windows, i.resource(), p.ns()) ? 1 : 0) : lim.total();
            if (!reportedTotal && all.size() > max) {
                reportedTotal = true;
                String rule = i.promoted() ? "promoted-max" : lim.total() == 1 ? "active-twice" : "clone-max";
                out.add(new Violation(rule, i.resource(), what + " " + all.size() + " times at once at " + Evidence.instant(p.ns())
                        + " (at most " + max + ", per the " + i.source() + "): " + all));
            }
        }
    }

    private static boolean inWindow(List<Window> windows, String resource, long t) {
        for (Window w : windows) if (w.resource().equals(resource) && w.fromNanos() <= t && t < w.toNanos()) return true;
        return false;
    }

    /**
     * Evidence inside the ledger: each stretch of evidence (active, or promoted) lies inside a stretch the ledger
     * records for the same resource on the same node; each successful start or promote of an evidenced resource has
     * evidence of it on that node.
     */
    static void crossCheck(List<Ledger.Entry> ledger, List<Interval> fromLedger, List<Interval> fromEvidence, Set<String> evidenced,
                           List<Violation> out) {
        Map<String, List<Interval>> ledgerBy = new HashMap<>();
        for (Interval l : fromLedger) ledgerBy.computeIfAbsent(l.resource() + "/" + l.node() + "/" + l.promoted(), k -> new ArrayList<>()).add(l);
        Map<String, List<Interval>> evidenceBy = new HashMap<>();
        for (Interval e : fromEvidence) evidenceBy.computeIfAbsent(e.resource() + "/" + e.node() + "/" + e.promoted(), k -> new ArrayList<>()).add(e);
        for (Interval e : fromEvidence) {
            List<Interval> ls = ledgerBy.getOrDefault(e.resource() + "/" + e.node() + "/" + e.promoted(), List.of());
            if (ls.stream().noneMatch(l -> l.covers(e))) {
                List<Interval> near = ls.stream().filter(l -> l.fromNanos() < e.toNanos() && e.fromNanos() < l.toNanos()).toList();
                out.add(new Violation("unrecorded-activity", e.resource(), "the evidence shows " + e + ", which no stretch in the ledger covers"
                        + (near.isEmpty() ? " (the ledger has none there)" : "; the ledger has " + near)));
            }
        }
        for (Ledger.Entry x : ledger) {
            String r = primitive(x.resource());
            if (!evidenced.contains(r) || x.isBegin() || x.rc() != 0) continue;
            boolean promote = x.action().equals("promote");
            if (!promote && !x.action().equals("start") && !x.action().equals("migrate_from")) continue;
            List<Interval> es = evidenceBy.getOrDefault(r + "/" + x.node() + "/" + promote, List.of());
            if (es.stream().noneMatch(e -> e.contains(x.epochNanos()))) {
                out.add(new Violation("missing-evidence", r, "the ledger says " + x.resource() + " " + x.action() + " succeeded on " + x.node()
                        + " at " + Evidence.instant(x.epochNanos()) + ", but its service left no evidence of it"));
            }
        }
    }

    /** Nothing may tick after its stop line, nor after the harness saw its process die. */
    static void afterStopOrDeath(List<Evidence.Activation> activations, List<Death> deaths, List<Violation> out) {
        for (Evidence.Activation a : activations) {
            if (a.lastNanos() > a.stopNanos()) {
                out.add(new Violation("activity-after-stop", a.resource(), a + ": a line after its stop line"));
            }
            Death d = deathOf(a, deaths);
            if (d != null && a.lastNanos() > d.epochNanos()) {
                out.add(new Violation("activity-after-death", a.resource(), a + ": a line after its process died (" + d + ")"));
            }
        }
    }
}
