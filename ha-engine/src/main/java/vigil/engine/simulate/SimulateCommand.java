package vigil.engine.simulate;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import vigil.api.VigilException;
import vigil.api.model.Clone;
import vigil.api.model.FenceDevice;
import vigil.api.model.Group;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.model.Role;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.api.status.NodeState;
import vigil.api.status.ResourceState;
import vigil.engine.cib.CibException;
import vigil.engine.cib.CibImporter;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.Transition;
import vigil.engine.scheduler.TransitionSummary;

/**
 * {@code vigil simulate --cib FILE [--show-scores]}: imports a Pacemaker CIB, plans one transition, and prints the
 * cluster status and the transition summary in crm_simulate's format, so one input can go through both and the
 * outputs be compared. Exit codes: 0 planned, 1 the scheduler failed, 2 bad arguments or a CIB Vigil cannot
 * read, 3 a CIB feature Vigil does not support.
 */
public final class SimulateCommand {
    static final String USAGE = "usage: vigil simulate --cib FILE [--show-scores]";

    private SimulateCommand() {}

    /** Entry point for a separate process (the scheduler benchmark times whole processes). */
    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        Path cib = null;
        boolean scores = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "simulate" -> { if (i != 0) return usage(err, "unexpected argument \"simulate\""); }
                case "--cib", "-x" -> {
                    if (i + 1 >= args.length) return usage(err, args[i] + " needs a file");
                    cib = Path.of(args[++i]);
                }
                case "--show-scores", "-s" -> scores = true;
                case "-h", "--help" -> { out.println(USAGE); return 0; }
                default -> { return usage(err, "unknown argument \"" + args[i] + "\""); }
            }
        }
        if (cib == null) return usage(err, "--cib FILE is required");
        if (!Files.isRegularFile(cib)) {
            err.println("simulate: " + cib + ": no such file (give the path of a CIB XML file, e.g. from cibadmin -Q)");
            return 2;
        }
        ClusterState state;
        try {
            state = CibImporter.read(cib, Instant.now());
        } catch (CibException e) {
            err.println("simulate: " + cib + ": " + e.getMessage());
            return e.unsupported() ? 3 : 2;
        } catch (VigilException e) {
            err.println("simulate: " + e.getMessage());
            return 2;
        }
        Transition t;
        try {
            t = Scheduler.plan(state, scores);
        } catch (RuntimeException e) {
            err.println("simulate: " + cib + ": the scheduler failed: " + e);
            return 1;
        }
        out.print(render(state, t, scores));
        return 0;
    }

    private static int usage(PrintStream err, String problem) {
        err.println("simulate: " + problem);
        err.println(USAGE);
        return 2;
    }

    /** The whole report: current status, optional scores, and the transition summary. */
    static String render(ClusterState state, Transition t, boolean scores) {
        StringBuilder b = new StringBuilder();
        b.append("Current cluster status:\n");
        status(state, b);
        b.append('\n');
        if (scores) {
            b.append("Allocation scores:\n");
            for (Map.Entry<String, Map<String, Score>> r : t.scores().entrySet()) {
                for (Map.Entry<String, Score> n : r.getValue().entrySet()) {
                    b.append("pcmk__primitive_assign: ").append(r.getKey()).append(" allocation score on ").append(n.getKey())
                            .append(": ").append(n.getValue()).append('\n');
                }
            }
            if (!t.notPlaced().isEmpty()) {
                b.append("\nNot placed:\n");
                t.notPlaced().forEach((r, why) -> b.append("  * ").append(r).append(": ").append(why).append('\n'));
            }
            b.append('\n');
        }
        b.append("Transition Summary:\n");
        for (String line : TransitionSummary.lines(state, t)) b.append(line).append('\n');
        return b.toString();
    }

    /** crm_simulate's "Node List" and "Full List of Resources" sections. */
    static void status(ClusterState state, StringBuilder b) {
        b.append("  * Node List:\n");
        List<String> online = new ArrayList<>();
        List<String> offline = new ArrayList<>();
        for (vigil.api.model.Node n : state.config().nodes()) {
            NodeState ns = state.node(n.id());
            if (ns.membership() == Membership.UNCLEAN) {
                b.append("    * Node ").append(n.id()).append(": UNCLEAN (offline)\n");
            } else if (ns.membership() == Membership.OFFLINE) {
                offline.add(n.id());
            } else if (ns.maintenance()) {
                b.append("    * Node ").append(n.id()).append(": maintenance\n");
            } else if (ns.standby()) {
                b.append("    * Node ").append(n.id()).append(": standby\n");
            } else {
                online.add(n.id());
            }
        }
        if (!online.isEmpty()) b.append("    * Online: [ ").append(String.join(" ", online)).append(" ]\n");
        if (!offline.isEmpty()) b.append("    * OFFLINE: [ ").append(String.join(" ", offline)).append(" ]\n");
        b.append("\n  * Full List of Resources:\n");
        for (FenceDevice d : state.config().fenceDevices()) {
            b.append("    * ").append(d.id()).append("\t(").append(d.type()).append("):\t fence device\n");
        }
        for (Resource r : state.config().resources()) {
            if (r instanceof Primitive p) {
                primitive(state, p, "    ", b);
            } else if (r instanceof Group g) {
                b.append("    * Resource Group: ").append(g.id()).append(":\n");
                for (Primitive p : g.members()) primitive(state, p, "      ", b);
            } else if (r instanceof Clone c) {
                String child = c.child() instanceof Group g ? g.id() : c.child().id();
                b.append("    * Clone Set: ").append(c.id()).append(" [").append(child).append("]").append(c.promotable() ? " (promotable)" : "").append(":\n");
                clone(state, c, b);
            }
        }
    }

    private static void primitive(ClusterState state, Primitive p, String indent, StringBuilder b) {
        b.append(indent).append("* ").append(p.id()).append("\t(").append(p.type()).append("):\t ");
        List<String> active = state.activeNodes(p.id());
        if (active.isEmpty()) {
            b.append("Stopped");
        } else if (active.size() == 1) {
            ResourceState rs = state.resource(p.id(), active.get(0));
            b.append(rs.role() == Role.UNPROMOTED ? "Unpromoted" : rs.role().text()).append(' ').append(active.get(0));
        } else {
            b.append("Started [ ").append(String.join(" ", active)).append(" ]");
        }
        if (!p.meta().isManaged()) b.append(" (unmanaged)");
        b.append('\n');
    }

    /** Nodes per role, taking a clone of a group as active where its first member is. */
    private static void clone(ClusterState state, Clone c, StringBuilder b) {
        String first = c.child().primitives().get(0).id();
        List<String> promoted = new ArrayList<>();
        List<String> started = new ArrayList<>();
        List<String> stopped = new ArrayList<>();
        for (vigil.api.model.Node n : state.config().nodes()) {
            Role role = state.resource(first, n.id()).role();
            if (role == Role.PROMOTED) promoted.add(n.id());
            else if (role.isActive()) started.add(n.id());
            else stopped.add(n.id());
        }
        if (!promoted.isEmpty()) b.append("      * Promoted: [ ").append(String.join(" ", promoted)).append(" ]\n");
        if (!started.isEmpty()) {
            b.append("      * ").append(c.promotable() ? "Unpromoted" : "Started").append(": [ ").append(String.join(" ", started)).append(" ]\n");
        }
        if (!stopped.isEmpty()) b.append("      * Stopped: [ ").append(String.join(" ", stopped)).append(" ]\n");
    }
}
