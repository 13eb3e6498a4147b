package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.ClusterConfig;
import vigil.api.model.ClusterProperties;
import vigil.api.model.FenceDevice;
import vigil.api.status.FenceEvent;
import vigil.api.status.Membership;
import vigil.engine.state.Command;

/**
 * Configuration changes that take a healthy node out of the configuration and put it back (a file applied without its
 * nodes, then the full file again): the controller did not heartbeat the node meanwhile, so its silence then is no
 * evidence that it was lost.
 */
class ControllerConfigChangeTest {
    private static final Duration NODE_TIMEOUT = Duration.ofSeconds(1);
    private final ControllerHarness h = new ControllerHarness();

    @AfterEach
    void stop() { h.close(); }

    @Test
    void aNodeTakenOutOfTheConfigAndPutBack_isNotDeclaredLostOrFenced_forTheTimeItWasNotHeartbeated() {
        h.threeOnlineNodes(ClusterConfig.builder().properties(ClusterProperties.builder().nodeTimeout(NODE_TIMEOUT).build())
                .fenceDevice(new FenceDevice("kill", "process", Map.of(), List.of(), Map.of("n1", "/p1", "n2", "/p2", "n3", "/p3"), Duration.ZERO))
                .build());
        ClusterConfig full = h.state.get().config();
        List<String> fenced = new CopyOnWriteArrayList<>();
        h.start((config, target, action, executor) -> {
            fenced.add(target);
            return new FenceEvent(target, action, List.of("kill"), executor, true, h.clock.instant(), "killed");
        });
        h.pass(Duration.ofSeconds(1));
        // applied without n3 (n1 and n2 still answer, so the controller keeps acting meanwhile), then the full file again;
        // n3 answers every heartbeat sent to it
        h.submit(List.of(new Command.ReplaceConfig(full.toBuilder().removeNode("n3").build(), -1)));
        h.pass(NODE_TIMEOUT.multipliedBy(3));
        h.submit(List.of(new Command.ReplaceConfig(full, -1)));
        h.pass(NODE_TIMEOUT.multipliedBy(3));
        assertEquals(List.of(), fenced, "a healthy node was fenced");
        assertFalse(h.declared("n3"), "n3 was declared lost: " + h.submitted);
        assertEquals(Membership.ONLINE, h.state.get().node("n3").membership());
    }
}
