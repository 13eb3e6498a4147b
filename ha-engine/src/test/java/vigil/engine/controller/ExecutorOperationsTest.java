package vigil.engine.controller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import vigil.api.ManagedService;
import vigil.api.model.ClusterConfig;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.status.ClusterState;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;
import vigil.engine.executor.Executor;

class ExecutorOperationsTest {
    private final JavaServiceDriver services = new JavaServiceDriver();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final Executor executor = Executor.builder("n1", new DriverRegistry(List.of(services.provider())), timer).build();
    private final ClusterState state = ClusterState.EMPTY.withConfig(ClusterConfig.builder().node(Node.member("n1", "127.0.0.1:9001"))
            .resource(Primitive.builder("vm", "java:vm").build()).build(), 1);

    @AfterEach
    void tearDown() {
        executor.close();
        timer.shutdownNow();
    }

    /** A resource a previous run of this node left running: a VM outlives its restarted daemon. */
    private AtomicBoolean leftRunning() {
        AtomicBoolean running = new AtomicBoolean(true);
        services.register("vm", new ManagedService() {
            @Override
            public void start() { running.set(true); }

            @Override
            public void stop() { running.set(false); }

            @Override
            public boolean isRunning() { return running.get(); }
        });
        return running;
    }

    @Test
    void runsNothing_isNotClaimedBeforeTheFirstProbes_forWhatAPreviousRunLeftRunning() throws Exception {
        AtomicBoolean vm = leftRunning();
        ExecutorOperations ops = new ExecutorOperations(() -> state, true);
        ops.attach(executor);
        // quorum lost before this run probed anything: the executor has seen no resource, yet the VM runs here
        executor.quorumLost(NoQuorumPolicy.STOP).get(20, TimeUnit.SECONDS);
        assertFalse(ops.runsNothing(), "nothing is known stopped before the probes");
        executor.quorumRegained();

        ops.probeAll(state).get(20, TimeUnit.SECONDS);
        assertFalse(ops.runsNothing(), "the probe found the VM running");
        executor.quorumLost(NoQuorumPolicy.STOP).get(20, TimeUnit.SECONDS);
        assertFalse(vm.get(), "stopped on quorum loss");
        assertTrue(ops.runsNothing(), "probed, and everything it found is stopped");
    }

    @Test
    void runsNothing_onAWitness_always() {
        assertTrue(new ExecutorOperations(() -> state, false).runsNothing());
    }
}
