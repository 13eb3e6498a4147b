package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.status.ClusterState;
import vigil.engine.cib.CibImporter;

/**
 * Guest nodes: a VM with meta remote-node hosts a node reached through an implicit connection; the VM starts first,
 * fencing the guest recovers the VM, what runs on the guest follows the VM.
 */
class GuestNodesTest {
    private static final String NODE = "<node_state id=\"%1$s\" uname=\"%1$s\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">%2$s</node_state>";
    private static final String OP = "<lrm_resource id=\"%1$s\" class=\"%2$s\" provider=\"%3$s\" type=\"%4$s\"%9$s>"
            + "<lrm_rsc_op id=\"%1$s_%5$s\" operation=\"%6$s\" call-id=\"%7$d\" rc-code=\"%8$d\" op-status=\"0\" interval=\"0\"/></lrm_resource>";

    /** Two cluster nodes, a fence device on n2, VM vm (guest node g, preferring n1) and r, which must run on g. */
    private static ClusterState cib(String n1Records, String n2Records, String guestRecords) {
        String cib = """
                <cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="s" name="stonith-enabled" value="true"/>
                </cluster_property_set></crm_config><nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources><primitive id="fence" class="stonith" type="fence_dummy"/>
                <primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
                <meta_attributes id="vm-m"><nvpair id="vm-rn" name="remote-node" value="g"/></meta_attributes></primitive>
                <primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/></resources>
                <constraints><rsc_location id="r-on-g" rsc="r" node="g" score="INFINITY"/>
                <rsc_location id="vm-on-n1" rsc="vm" node="n1" score="100"/></constraints></configuration>
                <status>%s%s<node_state id="g" uname="g" remote_node="true"><lrm id="g"><lrm_resources>%s</lrm_resources></lrm></node_state>
                </status></cib>""".formatted(NODE.formatted("n1", "<lrm id=\"n1\"><lrm_resources>" + n1Records + "</lrm_resources></lrm>"),
                NODE.formatted("n2", "<lrm id=\"n2\"><lrm_resources>" + op("fence", "stonith::fence_dummy", "start_0", "start", 1, 0) + n2Records
                        + "</lrm_resources></lrm>"), guestRecords);
        return CibImporter.parse(new ByteArrayInputStream(cib.getBytes(StandardCharsets.UTF_8)), "t.xml", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static String op(String rsc, String agent, String key, String op, int call, int rc) {
        String[] a = agent.split(":");
        return OP.formatted(rsc, a[0], a[1], a[2], key, op, call, rc, rsc.equals("g") ? " container=\"vm\"" : "");
    }

    private static final String VM_RUNS = op("vm", "ocf:heartbeat:VirtualDomain", "start_0", "start", 2, 0);
    private static final String GUEST_UP = op("g", "ocf:pacemaker:remote", "start_0", "start", 3, 0);
    private static final String R_RUNS = op("r", "ocf:heartbeat:Dummy", "start_0", "start", 4, 0);

    @Test
    void plan_nothingRuns_startsTheVmThenItsGuestThenWhatRunsThere() {
        ClusterState s = cib("", "", "");
        Transition t = Scheduler.plan(s);
        assertEquals(List.of("Start vm ( n1 )", "Start r ( g )", "Start g ( n1 )"), lines(s, t));
        PlannedAction vm = only(t, ActionKind.START, "vm");
        PlannedAction conn = only(t, ActionKind.START, "g");
        PlannedAction r = only(t, ActionKind.START, "r");
        assertEquals("n1", conn.node(), "the connection runs where its VM runs");
        assertTrue(conn.after().contains(vm.id()), "the guest's connection starts after its VM: " + t.actions());
        assertTrue(r.after().contains(vm.id()) && r.after().contains(conn.id()), "r starts after the VM and the connection: " + t.actions());
    }

    @Test
    void plan_vmFailed_fencesTheGuestByRecoveringTheVm() {
        String failed = VM_RUNS.replace("</lrm_resource>", "<lrm_rsc_op id=\"vm_monitor_10000\" operation=\"monitor\" call-id=\"5\" rc-code=\"7\" "
                + "op-status=\"0\" interval=\"10000\"/></lrm_resource>");
        ClusterState s = cib(failed + GUEST_UP, "", R_RUNS);
        Transition t = Scheduler.plan(s);
        assertEquals(List.of("Fence (reboot) g (resource: vm) 'guest is unclean'", "Recover vm ( n1 )", "Recover r ( g )",
                "Restart g ( n1 ) due to required vm start"), lines(s, t));
        assertTrue(t.actions().stream().noneMatch(a -> a.kind() == ActionKind.FENCE), "a guest is fenced by recovering its VM, no fence device runs: " + t.actions());
        assertTrue(t.actions().stream().noneMatch(a -> a.kind() == ActionKind.STOP && a.resource().equals("r")),
                "r's stop is implied by the VM's stop: " + t.actions());
    }

    @Test
    void plan_vmMoves_whatRunsOnTheGuestRestartsAfterIt() {
        ClusterState s = cib("", VM_RUNS + GUEST_UP, R_RUNS);
        Transition t = Scheduler.plan(s);
        assertEquals(List.of("Move vm ( n2 -> n1 )", "Restart r ( g ) due to required vm start", "Move g ( n2 -> n1 )"), lines(s, t));
        PlannedAction rStop = only(t, ActionKind.STOP, "r");
        PlannedAction connStop = only(t, ActionKind.STOP, "g");
        PlannedAction vmStop = only(t, ActionKind.STOP, "vm");
        assertTrue(connStop.after().contains(rStop.id()) && vmStop.after().contains(connStop.id()),
                "r stops before the connection, the connection before the VM: " + t.actions());
    }

    @Test
    void plan_vmHostLost_fencesTheHostThenTheGuest() {
        String lost = """
                <cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="s" name="stonith-enabled" value="true"/>
                </cluster_property_set></crm_config><nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources><primitive id="fence" class="stonith" type="fence_dummy"/>
                <primitive id="vm" class="ocf" provider="heartbeat" type="VirtualDomain">
                <meta_attributes id="vm-m"><nvpair id="vm-rn" name="remote-node" value="g"/></meta_attributes></primitive>
                <primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/></resources>
                <constraints><rsc_location id="r-on-g" rsc="r" node="g" score="INFINITY"/></constraints></configuration>
                <status><node_state id="n1" uname="n1" in_ccm="false" crmd="offline" join="down" expected="member"><lrm id="n1"><lrm_resources>%s</lrm_resources></lrm></node_state>
                %s<node_state id="g" uname="g" remote_node="true"><lrm id="g"><lrm_resources>%s</lrm_resources></lrm></node_state>
                </status></cib>""".formatted(VM_RUNS + GUEST_UP, NODE.formatted("n2", "<lrm id=\"n2\"><lrm_resources>"
                + op("fence", "stonith::fence_dummy", "start_0", "start", 1, 0) + "</lrm_resources></lrm>"), R_RUNS);
        ClusterState s = CibImporter.parse(new ByteArrayInputStream(lost.getBytes(StandardCharsets.UTF_8)), "t.xml", Instant.parse("2026-01-01T00:00:00Z"));
        Transition t = Scheduler.plan(s);
        List<String> lines = lines(s, t);
        assertTrue(lines.contains("Fence (reboot) g (resource: vm) 'guest is unclean'"), lines.toString());
        assertTrue(lines.contains("Recover vm ( n1 -> n2 )") && lines.contains("Move g ( n1 -> n2 )"), lines.toString());
        assertTrue(lines.contains("Recover r ( g )"), lines.toString());
        PlannedAction fenceN1 = only(t, ActionKind.FENCE, "");
        assertTrue(only(t, ActionKind.START, "vm").after().contains(fenceN1.id()), "the VM starts again only after its host is fenced: " + t.actions());
    }

    @Test
    void plan_containedResourceFailed_restartsItsContainer() {
        String cib = """
                <cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="s" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config><nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources><primitive id="c" class="ocf" provider="heartbeat" type="Dummy"/>
                <primitive id="f" class="ocf" provider="heartbeat" type="Dummy">
                <meta_attributes id="f-m"><nvpair id="f-c" name="container" value="c"/></meta_attributes></primitive></resources>
                <constraints/></configuration>
                <status>%s%s</status></cib>""".formatted(NODE.formatted("n1", "<lrm id=\"n1\"><lrm_resources>"
                + op("c", "ocf:heartbeat:Dummy", "start_0", "start", 2, 0)
                + op("f", "ocf:heartbeat:Dummy", "start_0", "start", 3, 0).replace("</lrm_resource>",
                        "<lrm_rsc_op id=\"f_monitor_10000\" operation=\"monitor\" call-id=\"4\" rc-code=\"7\" op-status=\"0\" interval=\"10000\"/></lrm_resource>")
                + "</lrm_resources></lrm>"), NODE.formatted("n2", ""));
        ClusterState s = CibImporter.parse(new ByteArrayInputStream(cib.getBytes(StandardCharsets.UTF_8)), "t.xml", Instant.parse("2026-01-01T00:00:00Z"));
        Transition t = Scheduler.plan(s);
        assertEquals(List.of("Restart c ( n1 )", "Recover f ( n1 )"), lines(s, t), "f's failure restarts its container (on-fail restart-container)");
        assertTrue(only(t, ActionKind.START, "f").after().contains(only(t, ActionKind.START, "c").id()), t.actions().toString());
    }

    /** The summary lines with their column padding collapsed. */
    private static List<String> lines(ClusterState s, Transition t) {
        return TransitionSummary.lines(s, t).stream().map(l -> l.strip().replaceFirst("^\\* ", "").replaceAll(" +", " ")).toList();
    }

    private static PlannedAction only(Transition t, ActionKind kind, String rsc) {
        List<PlannedAction> l = t.actions().stream().filter(a -> a.kind() == kind && a.resource().equals(rsc)).toList();
        assertEquals(1, l.size(), kind + " " + rsc + " in " + t.actions());
        return l.get(0);
    }
}
