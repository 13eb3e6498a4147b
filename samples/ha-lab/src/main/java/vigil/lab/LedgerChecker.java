package vigil.lab;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import vigil.engine.executor.Ledger;

/**
 * Proves, from the nodes' fsync'ed ledgers and the times nodes died (killed by the harness or fenced), that no
 * primitive was active on two nodes at once.
 *
 * <p>A primitive counts as active on a node from the moment its start (or migrate_from) began until its stop ended
 * successfully there, or the node died. A failed start or stop keeps it active (the agent may have left it running).
 * Clone instances run on several nodes by design and are not checked.
 */
public final class LedgerChecker {
    private LedgerChecker() {}

    /** A node's end of activity: a SIGKILL by the harness, or a confirmed fence. */
    public record Death(String node, long epochNanos, String cause) {}

    /** One stretch of activity of a primitive on a node. */
    public record Interval(String resource, String node, long fromNanos, long toNanos, String endedBy) {
        boolean overlaps(Interval o) { return fromNanos < o.toNanos && o.fromNanos < toNanos; }

        @Override
        public String toString() {
            return resource + " on " + node + " from " + Instant.ofEpochSecond(0, fromNanos) + " to "
                    + (toNanos == Long.MAX_VALUE ? "now" : Instant.ofEpochSecond(0, toNanos)) + " (" + endedBy + ")";
        }
    }

    public record Violation(String resource, Interval a, Interval b) {
        @Override
        public String toString() { return resource + " active on two nodes at once: " + a + " and " + b; }
    }

    /** Activity intervals of every primitive not in {@code clones}. */
    public static List<Interval> intervals(List<Ledger.Entry> entries, List<Death> deaths, Set<String> clones) {
        record Event(long ns, int order, Ledger.Entry entry, Death death) {}
        List<Event> events = new ArrayList<>();
        for (Ledger.Entry e : entries) events.add(new Event(e.epochNanos(), 1, e, null));
        for (Death d : deaths) events.add(new Event(d.epochNanos(), 0, null, d));
        events.sort(Comparator.comparingLong(Event::ns).thenComparingInt(Event::order));
        Map<String, Map<String, Long>> open = new TreeMap<>(); // resource -> node -> since
        List<Interval> out = new ArrayList<>();
        for (Event ev : events) {
            if (ev.death() != null) {
                for (var perNode : open.entrySet()) {
                    Long since = perNode.getValue().remove(ev.death().node());
                    if (since != null) out.add(new Interval(perNode.getKey(), ev.death().node(), since, ev.ns(), ev.death().cause()));
                }
                continue;
            }
            Ledger.Entry e = ev.entry();
            if (clones.contains(e.resource())) continue;
            Map<String, Long> perNode = open.computeIfAbsent(e.resource(), k -> new HashMap<>());
            boolean activates = e.action().equals("start") || e.action().equals("migrate_from") || e.action().equals("promote");
            if (activates && e.isBegin()) {
                perNode.putIfAbsent(e.node(), e.epochNanos());
            } else if (e.action().equals("stop") && !e.isBegin() && e.rc() == 0) {
                Long since = perNode.remove(e.node());
                if (since != null) out.add(new Interval(e.resource(), e.node(), since, e.epochNanos(), "stopped"));
            } else if (e.action().equals("migrate_to") && !e.isBegin() && e.rc() == 0) {
                // a live migration hands the resource over: it runs on the target from migrate_from on
                Long since = perNode.remove(e.node());
                if (since != null) out.add(new Interval(e.resource(), e.node(), since, e.epochNanos(), "migrated away"));
            }
        }
        open.forEach((rsc, perNode) -> perNode.forEach((node, since) -> out.add(new Interval(rsc, node, since, Long.MAX_VALUE, "still active"))));
        return out;
    }

    public static List<Violation> check(List<Ledger.Entry> entries, List<Death> deaths, Set<String> clones) {
        Map<String, List<Interval>> byResource = new TreeMap<>();
        for (Interval i : intervals(entries, deaths, clones)) byResource.computeIfAbsent(i.resource(), k -> new ArrayList<>()).add(i);
        List<Violation> out = new ArrayList<>();
        for (var e : byResource.entrySet()) {
            List<Interval> list = e.getValue();
            list.sort(Comparator.comparingLong(Interval::fromNanos));
            for (int i = 0; i < list.size(); i++) {
                for (int j = i + 1; j < list.size() && list.get(j).fromNanos() < list.get(i).toNanos(); j++) {
                    if (!list.get(i).node().equals(list.get(j).node()) && list.get(i).overlaps(list.get(j))) {
                        out.add(new Violation(e.getKey(), list.get(i), list.get(j)));
                    }
                }
            }
        }
        return out;
    }
}
