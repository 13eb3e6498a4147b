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

/** Pacemaker Remote nodes: up only while their connection runs, what runs there ordered around the connection. */
class RemoteNodesTest {
    private static final String NODE = "<node_state id=\"%1$s\" uname=\"%1$s\" in_ccm=\"true\" crmd=\"online\" join=\"member\" expected=\"member\">%2$s</node_state>";
    private static final String OP = "<lrm_resource id=\"%1$s\" class=\"ocf\" provider=\"%2$s\" type=\"%3$s\">"
            + "<lrm_rsc_op id=\"%1$s_%4$s\" operation=\"%5$s\" call-id=\"%6$d\" rc-code=\"%7$d\" op-status=\"0\" interval=\"%8$d\"/></lrm_resource>";

    private static ClusterState cib(String connMeta, String n1Records, String remoteRecords) {
        String cib = """
                <cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="s" name="stonith-enabled" value="true"/>
                </cluster_property_set></crm_config><nodes><node id="n1" uname="n1"/><node id="n2" uname="n2"/></nodes>
                <resources><primitive id="fence" class="stonith" type="fence_dummy"/>
                <primitive id="rn" class="ocf" provider="pacemaker" type="remote">%s
                <operations><op id="rn-mon" name="monitor" interval="60s"/></operations></primitive>
                <primitive id="r" class="ocf" provider="heartbeat" type="Dummy"/></resources>
                <constraints><rsc_location id="r-on-rn" rsc="r" node="rn" score="INFINITY"/>
                <rsc_location id="rn-on-n1" rsc="rn" node="n1" score="100"/></constraints></configuration>
                <status>%s%s<node_state id="rn" uname="rn" remote_node="true"><lrm id="rn"><lrm_resources>%s</lrm_resources></lrm></node_state>
                </status></cib>""".formatted(connMeta, NODE.formatted("n1", "<lrm id=\"n1\"><lrm_resources>" + n1Records + "</lrm_resources></lrm>"),
                NODE.formatted("n2", "<lrm id=\"n2\"><lrm_resources>" + FENCE_RUNS + "</lrm_resources></lrm>"), remoteRecords);
        return CibImporter.parse(new ByteArrayInputStream(cib.getBytes(StandardCharsets.UTF_8)), "t.xml", Instant.parse("2026-01-01T00:00:00Z"));
    }

    private static String op(String rsc, String agent, String key, String op, int call, int rc, int interval) {
        String[] a = agent.split(":");
        return OP.formatted(rsc, a[0], a[1], key, op, call, rc, interval);
    }

    private static final String FENCE_RUNS = op("fence", "x:x", "start_0", "start", 1, 0, 0).replace("class=\"ocf\" provider=\"x\" type=\"x\"", "class=\"stonith\" type=\"fence_dummy\"");

    @Test
    void plan_connectionDown_startsItThenWhatRunsOnTheRemoteNode() {
        ClusterState s = cib("", "", "");
        Transition t = Scheduler.plan(s);
        assertEquals(List.of("Start rn ( n1 )", "Start r ( rn )"), lines(s, t));
        PlannedAction connStart = only(t, ActionKind.START, "rn");
        PlannedAction start = only(t, ActionKind.START, "r");
        assertEquals("rn", start.node());
        assertTrue(start.after().contains(connStart.id()), "r starts on rn only once its connection runs: " + t.actions());
    }

    @Test
    void plan_connectionDisabled_stopsWhatRunsThereFirst() {
        ClusterState s = cib("<meta_attributes id=\"m\"><nvpair id=\"tr\" name=\"target-role\" value=\"Stopped\"/></meta_attributes>",
                op("rn", "pacemaker:remote", "start_0", "start", 2, 0, 0), op("r", "heartbeat:Dummy", "start_0", "start", 3, 0, 0));
        Transition t = Scheduler.plan(s);
        // r may run elsewhere, so it moves off the remote node before the connection stops
        assertEquals(List.of("Stop rn ( n1 ) due to node availability", "Move r ( rn -> n1 )"), lines(s, t));
        assertTrue(only(t, ActionKind.STOP, "rn").after().contains(only(t, ActionKind.STOP, "r").id()), t.actions().toString());
    }

    @Test
    void plan_connectionMonitorFailed_fencesTheRemoteNodeAndRecoversTheConnection() {
        String failed = """
                <lrm_resource id="rn" class="ocf" provider="pacemaker" type="remote">
                <lrm_rsc_op id="rn_last_0" operation="start" call-id="2" rc-code="0" op-status="0" interval="0"/>
                <lrm_rsc_op id="rn_monitor_60000" operation="monitor" call-id="4" rc-code="7" op-status="0" interval="60000"/></lrm_resource>""";
        ClusterState s = cib("", failed, op("r", "heartbeat:Dummy", "start_0", "start", 3, 0, 0));
        List<String> lines = lines(s, Scheduler.plan(s));
        assertTrue(lines.contains("Fence (reboot) rn 'remote connection is unrecoverable'"), lines.toString());
        assertTrue(lines.contains("Recover rn ( n1 )"), lines.toString());
        assertTrue(lines.contains("Move r ( rn -> n1 )"), "what ran on the fenced node starts elsewhere: " + lines);
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
