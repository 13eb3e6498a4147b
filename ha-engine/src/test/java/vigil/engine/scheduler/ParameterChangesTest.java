package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.status.ClusterState;
import vigil.api.status.OperationRecord;
import vigil.engine.cib.CibImporter;

/** Restarts after parameter changes, judged by the digests Pacemaker records with each operation. */
class ParameterChangesTest {

    @Test
    void digest_isPacemakers() {
        // digests recorded by Pacemaker in its own test inputs (cts/scheduler): no parameters, and ip=127.0.0.20
        assertEquals("f2317cad3d54cec5d7d7aa7d0bf35cf8", ParameterChanges.digest(Map.of()));
        assertEquals("c85a9e95c9e9147a613b270c79b58db6", ParameterChanges.digest(Map.of("ip", "127.0.0.20")));
        assertEquals("e38fc095cd72534897b21e24a8484122",
                ParameterChanges.digest(Map.of("fstype", "reiserfs", "directory", "/mnt/share1", "device", "/dev/drbd0")));
    }

    @Test
    void changed_secretMaskedInTheCib_comparesTheSecureDigest() {
        var d = new OperationRecord.Digests("27327e4075d439328e30c2d3f8a846b7", null, null, "d14015b540c7f9c28236b218d7e48232", List.of("passwd", "password"));
        Map<String, String> params = Map.of("ipaddr", "192.168.48.21", "login", "admin", "passwd", "****", "pcmk_host_list", "cesr104-p16");
        assertFalse(ParameterChanges.changed(d, params, true));
        assertTrue(ParameterChanges.changed(d, Map.of("ipaddr", "192.168.48.22", "login", "admin", "passwd", "****"), true));
    }

    @Test
    void changed_reloadableAgent_onlyForParametersItCannotReload() {
        var d = new OperationRecord.Digests("0000", ParameterChanges.digest(Map.of("state", "/x")), List.of("state"), null, List.of());
        assertFalse(ParameterChanges.changed(d, Map.of("state", "/x", "other", "new"), false), "a reload, which Vigil leaves alone");
        assertTrue(ParameterChanges.changed(d, Map.of("state", "/y"), false));
    }

    static List<String> summary(String ip, String digest) {
        String cib = """
                <cib have-quorum="1"><configuration><crm_config><cluster_property_set id="o"><nvpair id="s" name="stonith-enabled" value="false"/>
                </cluster_property_set></crm_config><nodes><node id="1" uname="n1"/><node id="2" uname="n2"/></nodes>
                <resources><primitive id="ip" class="ocf" provider="heartbeat" type="IPaddr"><instance_attributes id="ia">
                <nvpair id="a" name="ip" value="%s"/></instance_attributes></primitive></resources><constraints/></configuration>
                <status><node_state id="1" uname="n1" in_ccm="true" crmd="online" join="member" expected="member"><lrm id="1"><lrm_resources>
                <lrm_resource id="ip" class="ocf" provider="heartbeat" type="IPaddr">
                <lrm_rsc_op id="ip_start_0" operation="start" call-id="1" rc-code="0" op-status="0" interval="0" op-digest="%s"/>
                </lrm_resource></lrm_resources></lrm></node_state>
                <node_state id="2" uname="n2" in_ccm="true" crmd="online" join="member" expected="member"/></status></cib>""".formatted(ip, digest);
        ClusterState s = CibImporter.parse(new ByteArrayInputStream(cib.getBytes(StandardCharsets.UTF_8)), "t.xml", Instant.parse("2026-01-01T00:00:00Z"));
        return TransitionSummary.lines(s, Scheduler.plan(s));
    }

    @Test
    void plan_parametersChangedSinceTheStart_restartsWhereItRuns() {
        assertEquals(List.of(), summary("127.0.0.20", "c85a9e95c9e9147a613b270c79b58db6"));
        assertEquals(List.of("  * Restart    ip      (    n1 )  due to resource definition change"), summary("127.0.0.21", "c85a9e95c9e9147a613b270c79b58db6"));
    }
}
