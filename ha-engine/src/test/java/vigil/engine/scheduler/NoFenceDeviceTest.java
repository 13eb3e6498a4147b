package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import vigil.api.model.FenceDevice;
import vigil.api.status.ClusterState;

/**
 * Pacemaker's rule for a cluster with stonith-enabled and nothing that can fence: resources that could need fencing do
 * not start (a node failure could not be recovered safely), and the plan says why. With a fence device in the
 * configuration's fence-devices the same resource starts.
 */
class NoFenceDeviceTest {
    private static final ClusterState NO_DEVICE = Scenario.parse("""
            property stonith-enabled=true
            node node1
            node node2
            primitive rsc1 ocf:heartbeat:Dummy monitor=10s
            """).state;

    @Test
    void withStonithEnabledAndNoFenceDevice_nothingStarts_andThePlanSaysWhy() {
        Transition t = Scheduler.plan(NO_DEVICE);
        assertEquals(List.of(), t.actions().stream().filter(a -> a.kind() == ActionKind.START).toList(), "started without a fence device");
        String why = t.notPlaced().get("rsc1");
        assertTrue(why != null && why.contains("no fence device"), "not placed: " + t.notPlaced());
    }

    @Test
    void withAFenceDevice_theSameResourceStarts() {
        ClusterState withDevice = NO_DEVICE.withConfig(NO_DEVICE.config().toBuilder()
                .fenceDevice(new FenceDevice("ipmi", "ipmi", Map.of(), List.of("node1", "node2"), Map.of(), Duration.ZERO)).build(),
                NO_DEVICE.configVersion() + 1);
        Transition t = Scheduler.plan(withDevice);
        assertEquals(1, t.actions().stream().filter(a -> a.kind() == ActionKind.START && a.resource().equals("rsc1")).count(), t.actions().toString());
        assertEquals(Map.of(), t.notPlaced());
    }
}
