package vigil.lab.vm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import vigil.api.spi.ProcessRunner;

/**
 * A recording stand-in for drbdadm / drbdsetup on the hosts of a two-replica DRBD resource. The DRBD kernel module
 * cannot load on the build machines (no kernel modules there, {@code drbdsetup status} exits 20), so the drbd driver
 * of each cluster node runs its real argv against {@link #runnerFor} instead. It keeps the state a kernel would
 * (up or down, role, the {@code allow-two-primaries} net option per node, whether the peer host is powered) and
 * answers {@code drbdsetup status RES --json} in drbdsetup's JSON layout (the key names and order of the recorded
 * real outputs in ha-storage's test resources). Like the kernel it refuses a second Primary unless two primaries
 * are allowed. The replication link between the two hosts can be cut ({@link #cutLink}): then the peers see each other
 * Connecting, and a replica that is not Primary while the other is falls behind without knowing it - its disk still
 * reads UpToDate, as DRBD's does; promoting it then is recorded as a stale promotion ({@link #stalePromotions}).
 * Simplification: a resync is instantaneous, once both are up and the link is whole.
 * Every state-changing command is reported to {@code timeline} as "NODE drbd: COMMAND".
 */
public final class DrbdKernelStandIn {
    private final String resource;
    private final Map<String, Integer> nodeIds;
    private final Consumer<String> timeline;
    private final Map<String, Replica> replicas = new HashMap<>();
    private final List<String> calls = new ArrayList<>();
    private final List<String> stalePromotions = new ArrayList<>();
    private final Set<String> shownConnected = new HashSet<>();
    private boolean linkUp = true;

    private static final class Replica {
        boolean powered = true;
        boolean up;
        boolean primary;
        boolean allowTwoPrimaries;
        boolean stale; // missed writes of the other replica while the link was cut
    }

    /** @param nodeIds cluster node (= hostname) to DRBD node-id, as in the resource's {@code hosts} parameter */
    public DrbdKernelStandIn(String resource, Map<String, Integer> nodeIds, Consumer<String> timeline) {
        this.resource = resource;
        this.nodeIds = Map.copyOf(nodeIds);
        this.timeline = timeline;
        nodeIds.keySet().forEach(n -> replicas.put(n, new Replica()));
    }

    ProcessRunner runnerFor(String node) {
        return (argv, env, stdin, timeout) -> run(node, argv);
    }

    /** The host lost power: its DRBD is gone (the peer sees its connection drop). */
    public synchronized void powerOff(String node) {
        Replica r = replicas.get(node);
        r.powered = false;
        r.up = false;
        r.primary = false;
        r.allowTwoPrimaries = false;
    }

    public synchronized void powerOn(String node) { replicas.get(node).powered = true; }

    /** The replication link between the hosts is cut: each sees the other Connecting. */
    public synchronized void cutLink() {
        linkUp = false;
        settle();
    }

    /** The link is whole again: replicas that are both up resync. */
    public synchronized void healLink() {
        linkUp = true;
        settle();
    }

    /** Promotions of a replica that had missed writes (what resource-level fencing must prevent). */
    public synchronized List<String> stalePromotions() { return List.copyOf(stalePromotions); }

    /** A Primary writes: with the link cut, the other replica falls behind; connected again, it resyncs. */
    private void settle() {
        for (String n : replicas.keySet()) {
            Replica r = replicas.get(n);
            Replica other = replicas.get(peerOf(n));
            if (r.up && r.primary && !connected(n)) other.stale = true;
            if (connected(n) && !r.stale) other.stale = false;
        }
    }

    public synchronized boolean isPrimary(String node) { return replicas.get(node).up && replicas.get(node).primary; }

    public synchronized List<String> calls() { return List.copyOf(calls); }

    /** Whether {@code node}'s status was read (by its monitor) while it was connected to its peer. */
    public synchronized boolean hasShownConnected(String node) { return shownConnected.contains(node); }

    private synchronized ProcessRunner.ProcessResult run(String node, List<String> argv) {
        Replica me = replicas.get(node);
        String line = readable(argv);
        calls.add(node + " " + line);
        if (!me.powered) throw new IllegalStateException(node + " is powered off, yet ran: " + line);
        if (argv.size() >= 3 && argv.get(0).equals("drbdsetup") && argv.get(1).equals("status")) {
            if (!argv.get(2).equals(resource) || !me.up) return fail(10, argv.get(2) + ": No such resource\n");
            return ok(statusJson(node));
        }
        if (argv.size() >= 5 && argv.get(0).equals("drbdsetup") && argv.get(1).equals("net-options")) {
            String opt = argv.get(4);
            if (!opt.startsWith("--allow-two-primaries=")) return fail(1, "stand-in: unexpected net option " + opt + "\n");
            me.allowTwoPrimaries = opt.endsWith("=yes");
            timeline.accept(node + " drbd: " + line);
            return ok("");
        }
        if (argv.get(0).equals("drbdadm")) {
            int i = 1;
            if (argv.get(i).equals("-c")) i += 2;
            String verb = argv.get(i);
            String res = argv.get(i + 1);
            if (!res.equals(resource)) return fail(10, res + ": No such resource\n");
            switch (verb) {
                case "up":
                    me.up = true;
                    me.primary = false;
                    break;
                case "adjust":
                    break;
                case "down":
                    me.up = false;
                    me.primary = false;
                    me.allowTwoPrimaries = false;
                    break;
                case "primary": {
                    if (!me.up) return fail(10, res + ": No such resource\n");
                    String other = peerOf(node);
                    if (connected(node) && replicas.get(other).primary && !me.allowTwoPrimaries) {
                        // what the kernel answers when the peer is Primary and two primaries are not allowed
                        timeline.accept(node + " drbd: REFUSED " + line);
                        return fail(11, res + ": State change failed: (-1) Multiple primaries not allowed by config\n");
                    }
                    me.primary = true;
                    if (me.stale) {
                        stalePromotions.add(node + " promoted while behind " + other);
                        timeline.accept(node + " drbd: STALE PRIMARY " + line);
                    }
                    break;
                }
                case "secondary":
                    me.primary = false;
                    break;
                default:
                    return fail(1, "stand-in: unexpected drbdadm command " + line + "\n");
            }
            settle();
            timeline.accept(node + " drbd: " + line);
            return ok("");
        }
        return fail(1, "stand-in: unexpected command " + line + "\n");
    }

    private String peerOf(String node) {
        for (String n : replicas.keySet()) if (!n.equals(node)) return n;
        throw new IllegalStateException("no peer of " + node);
    }

    private boolean connected(String node) { return linkUp && replicas.get(node).up && replicas.get(peerOf(node)).up; }

    private String statusJson(String node) {
        Replica me = replicas.get(node);
        String peer = peerOf(node);
        Replica other = replicas.get(peer);
        boolean conn = connected(node);
        if (conn) shownConnected.add(node);
        return "[\n{\n"
                + "  \"name\": \"" + resource + "\",\n"
                + "  \"node-id\": " + nodeIds.get(node) + ",\n"
                + "  \"role\": \"" + (me.primary ? "Primary" : "Secondary") + "\",\n"
                + "  \"suspended\": false,\n"
                + "  \"write-ordering\": \"flush\",\n"
                + "  \"devices\": [\n    {\n"
                + "      \"volume\": 0,\n      \"minor\": 0,\n      \"disk-state\": \"UpToDate\",\n      \"client\": false,\n"
                + "      \"quorum\": true,\n      \"size\": 409600,\n      \"read\": 0,\n      \"written\": 0,\n      \"al-writes\": 0,\n"
                + "      \"bm-writes\": 0,\n      \"upper-pending\": 0,\n      \"lower-pending\": 0\n    } ],\n"
                + "  \"connections\": [\n    {\n"
                + "      \"peer-node-id\": " + nodeIds.get(peer) + ",\n"
                + "      \"name\": \"" + peer + "\",\n"
                + "      \"connection-state\": \"" + (conn ? "Connected" : "Connecting") + "\",\n"
                + "      \"congested\": false,\n"
                + "      \"peer-role\": \"" + (conn ? (other.primary ? "Primary" : "Secondary") : "Unknown") + "\",\n"
                + "      \"ap-in-flight\": 0,\n      \"rs-in-flight\": 0,\n"
                + "      \"peer_devices\": [\n        {\n"
                + "          \"volume\": 0,\n"
                + "          \"replication-state\": \"" + (conn ? "Established" : "Off") + "\",\n"
                + "          \"peer-disk-state\": \"" + (conn ? "UpToDate" : "DUnknown") + "\",\n"
                + "          \"peer-client\": false,\n          \"resync-suspended\": \"no\",\n          \"received\": 0,\n          \"sent\": 0,\n"
                + "          \"out-of-sync\": 0,\n          \"pending\": 0,\n          \"unacked\": 0,\n          \"has-sync-details\": false,\n"
                + "          \"has-online-verify-details\": false,\n          \"percent-in-sync\": 100.00\n        } ]\n    } ]\n}\n]\n";
    }

    /** The argv without drbdadm's {@code -c FILE} option. */
    static String readable(List<String> argv) {
        List<String> x = new ArrayList<>(argv);
        if (x.size() > 2 && x.get(1).equals("-c")) { x.remove(1); x.remove(1); }
        return String.join(" ", x);
    }

    private static ProcessRunner.ProcessResult ok(String out) { return new ProcessRunner.ProcessResult(0, out, "", false, Duration.ofMillis(2)); }

    private static ProcessRunner.ProcessResult fail(int code, String err) { return new ProcessRunner.ProcessResult(code, "", err, false, Duration.ofMillis(2)); }
}
