package vigil.daemon.cli;

import java.io.PrintStream;
import java.time.Duration;
import vigil.api.Cluster;
import vigil.api.VigilException;
import vigil.api.model.Durations;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;

/**
 * {@code vigil node stop [NODE] [--force] [--wait D]}, like {@code pcs cluster stop}: asks the cluster to stop a node
 * cleanly and waits until it has left. The cluster moves or stops what runs there, marks the node offline, and the
 * node's daemon exits; it is never fenced for it.
 */
final class NodeStop {
    private NodeStop() {}

    static int run(Cluster cluster, String node, boolean force, Duration wait, PrintStream out) {
        ConfigEdits.requireNode(cluster.status().config(), node, false);
        NodeState before = cluster.status().node(node);
        if (before.membership() != Membership.ONLINE) {
            out.println(node + ": not running (" + StatusView.nodeState(before) + "); nothing to stop");
            return 0;
        }
        cluster.shutdown(node, force);
        out.println(node + ": stopping (its resources move to other nodes or stop)");
        out.flush();
        long end = System.nanoTime() + wait.toNanos();
        while (true) {
            NodeState now = cluster.status().node(node);
            if (now.membership() == Membership.OFFLINE) {
                out.println(node + ": stopped");
                return 0;
            }
            if (now.membership() == Membership.UNCLEAN) {
                throw new VigilException(node + " was declared lost while it stopped (" + now.reason() + "); the cluster fences it: see 'vigil status'");
            }
            if (System.nanoTime() > end) {
                throw new VigilException(node + " is still stopping after " + Durations.format(wait) + " (something there did not stop yet: see 'vigil status');"
                        + " it keeps stopping");
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new VigilException("interrupted; " + node + " keeps stopping");
            }
        }
    }
}
