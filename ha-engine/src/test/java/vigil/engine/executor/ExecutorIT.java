package vigil.engine.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.spi.ProcessRunner;
import vigil.api.status.OcfCode;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;
import vigil.engine.ocf.OcfDriver;
import vigil.engine.ocf.OcfDriverProvider;
import vigil.testkit.Await;
import vigil.testkit.LabDir;

/** The executor driving the real ocf:heartbeat:Dummy and ocf:pacemaker:Stateful agents. */
class ExecutorIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Path DUMMY = Path.of("/usr/lib/ocf/resource.d/heartbeat/Dummy");
    private static final Path STATEFUL = Path.of("/usr/lib/ocf/resource.d/pacemaker/Stateful");

    private Path lab;
    private ScheduledExecutorService timer;
    private Ledger ledger;
    private final List<ActionResult> reported = new CopyOnWriteArrayList<>();
    private Executor n1;

    @BeforeEach
    void setUp() {
        lab = LabDir.create("exec");
        timer = Executors.newSingleThreadScheduledExecutor();
        ledger = Ledger.open(lab.resolve("ledger"), InstantSource.system());
        n1 = executor("n1", OcfDriver.DEFAULT_ROOT);
    }

    private Executor executor(String node, Path ocfRoot) {
        var registry = new DriverRegistry(List.of(new JavaServiceDriver().provider(),
                new OcfDriverProvider(ocfRoot, ProcessRunner.local(), lab.resolve("private-" + node))));
        return Executor.builder(node, registry, timer).listener(reported::add).ledger(ledger).build();
    }

    @AfterEach
    void tearDown() throws IOException {
        n1.close();
        timer.shutdownNow();
        ledger.close();
        try (var files = Files.walk(lab)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static ActionResult done(CompletableFuture<ActionResult> f) { return f.orTimeout(30, TimeUnit.SECONDS).join(); }

    private Primitive dummy(String id, Duration monitor) {
        Primitive.Builder b = Primitive.builder(id, "ocf:heartbeat:Dummy").param("state", lab.resolve(id + ".state").toString());
        if (monitor != null) b.monitor(monitor, Duration.ofSeconds(20));
        return b.build();
    }

    @Test
    void dummy_start_monitorNoticesItDied_stop() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        Primitive d1 = dummy("d1", Duration.ofMillis(200));
        assertEquals(OcfCode.SUCCESS, done(n1.submit(ActionRequest.of("1", 1, d1, ResourceAction.START))).code());
        assertTrue(Files.exists(lab.resolve("d1.state")));
        assertEquals(Map.of("d1", Duration.ofMillis(200)), n1.recurringMonitors());

        assertTrue(lab.resolve("d1.state").toFile().delete()); // the resource dies outside the cluster's control
        ActionResult failure = Await.value(WAIT, "the monitor failure",
                () -> reported.stream().filter(r -> r.action() == ResourceAction.MONITOR).findFirst().orElse(null));
        assertEquals(OcfCode.NOT_RUNNING, failure.code());
        assertEquals("No process state file found", failure.message());
        assertEquals(Duration.ofMillis(200), failure.interval());

        assertEquals(OcfCode.SUCCESS, done(n1.submit(ActionRequest.of("2", 1, d1, ResourceAction.STOP))).code());
        assertEquals(Map.of(), n1.recurringMonitors());
        List<String> lines = Ledger.read(ledger.file()).stream().map(e -> e.resource() + " " + e.action() + " " + e.phase()).toList();
        assertEquals(List.of("d1 start begin", "d1 start end", "d1 stop begin", "d1 stop end"), lines);
    }

    @Test
    void dummy_migrateBetweenTwoExecutors_stateMoves() {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        Primitive onN1 = dummy("vm", null);
        Primitive onN2 = onN1.withParams(Map.of("state", lab.resolve("vm-n2.state").toString()));
        try (Executor n2 = executor("n2", OcfDriver.DEFAULT_ROOT)) {
            done(n1.submit(ActionRequest.of("1", 1, onN1, ResourceAction.START)));
            ActionResult to = done(n1.submit(ActionRequest.of("2", 1, onN1, ResourceAction.MIGRATE_TO).withPeer("n2", Map.of())));
            assertEquals(OcfCode.SUCCESS, to.code());
            ActionResult from = done(n2.submit(ActionRequest.of("3", 1, onN2, ResourceAction.MIGRATE_FROM).withPeer("n1", Map.of())));
            assertEquals(OcfCode.SUCCESS, from.code());
            assertFalse(Files.exists(lab.resolve("vm.state")));
            assertTrue(Files.exists(lab.resolve("vm-n2.state")));
            assertEquals(Role.STARTED, n2.role("vm").orElseThrow());
            assertEquals(OcfCode.SUCCESS, done(n1.submit(ActionRequest.of("4", 1, onN1, ResourceAction.STOP))).code());
        }
        List<Ledger.Entry> e = Ledger.read(ledger.file());
        assertTrue(e.stream().anyMatch(x -> x.node().equals("n2") && x.action().equals("migrate_from") && x.rc() == 0), e.toString());
    }

    @Test
    void dummy_probeAll_findsTheOneStartedByHand() throws IOException {
        assumeTrue(Files.isExecutable(DUMMY), "resource-agents is not installed");
        Files.createFile(lab.resolve("byhand.state"));
        List<ActionResult> probes = n1.probeAll(4, List.of(dummy("byhand", null), dummy("idle", null))).orTimeout(30, TimeUnit.SECONDS).join();
        assertEquals(OcfCode.SUCCESS, probes.get(0).code());
        assertEquals(OcfCode.NOT_RUNNING, probes.get(1).code());
        assertEquals(List.of("byhand"), n1.possiblyActive());
        assertTrue(Ledger.read(ledger.file()).isEmpty(), "probes change nothing and are not in the ledger");
    }

    @Test
    void stateful_promotableClone_scores_failedPromotedMonitor_thenQuorumLossDemotesAndStops() throws IOException {
        assumeTrue(Files.isExecutable(STATEFUL), "pacemaker-resource-agents is not installed");
        Path state = lab.resolve("st.state");
        Primitive st = Primitive.builder("st", "ocf:pacemaker:Stateful").param("state", state.toString())
                .operation(new Operation("monitor", Duration.ofMillis(200), Duration.ofSeconds(20), null, Role.PROMOTED))
                .operation(new Operation("monitor", Duration.ofMillis(300), Duration.ofSeconds(20), null, Role.UNPROMOTED)).build();
        Clone clone = new Clone("st-clone", st, null, true);

        ActionResult start = done(n1.submit(ActionRequest.of("1", 1, st, ResourceAction.START).asCloneInstance(clone, 0)));
        assertEquals(OcfCode.SUCCESS, start.code());
        assertEquals(OptionalInt.of(5), start.promotionScore());
        ActionResult promote = done(n1.submit(ActionRequest.of("2", 1, st, ResourceAction.PROMOTE).asCloneInstance(clone, 0)));
        assertEquals(OptionalInt.of(10), promote.promotionScore());
        assertEquals(Map.of("st:0", Duration.ofMillis(200)), n1.recurringMonitors());
        assertEquals(Role.PROMOTED, n1.role("st:0").orElseThrow());

        // Stateful's monitor exits with the code in <state>.rc: 9 is "failed while promoted"
        Files.writeString(lab.resolve("st.state.rc"), "9");
        ActionResult failed = Await.value(WAIT, "the promoted monitor failure",
                () -> reported.stream().filter(r -> r.action() == ResourceAction.MONITOR).findFirst().orElse(null));
        assertEquals(OcfCode.FAILED_PROMOTED, failed.code());
        Files.delete(lab.resolve("st.state.rc"));

        List<ActionResult> stopped = n1.quorumLost(NoQuorumPolicy.STOP).orTimeout(30, TimeUnit.SECONDS).join();
        assertEquals(List.of(ResourceAction.DEMOTE, ResourceAction.STOP), stopped.stream().map(ActionResult::action).toList());
        assertTrue(stopped.stream().allMatch(ActionResult::isSuccess), stopped.toString());
        assertFalse(Files.exists(state));
        List<String> ledgered = Ledger.read(ledger.file()).stream().filter(e -> !e.isBegin()).map(Ledger.Entry::action).toList();
        assertEquals(List.of("start", "promote", "demote", "stop"), ledgered);
    }

    @Test
    void agentHangs_timeoutKillsItsProcess() throws IOException {
        Path root = lab.resolve("root");
        Path agent = root.resolve("resource.d/test/Hang");
        Files.createDirectories(agent.getParent());
        Files.writeString(agent, "#!/bin/sh\necho $$ > \"$OCF_RESKEY_pidfile\"\nexec sleep 60\n");
        assertTrue(agent.toFile().setExecutable(true));
        Path pidfile = lab.resolve("hang.pid");
        Primitive hang = Primitive.builder("hang", "ocf:test:Hang").param("pidfile", pidfile.toString())
                .operation(new Operation("start", null, Duration.ofMillis(500), null, null)).build();
        try (Executor ex = executor("n1", root)) {
            ActionResult r = done(ex.submit(ActionRequest.of("1", 1, hang, ResourceAction.START)));
            assertEquals(OcfCode.TIMEOUT, r.code());
            long pid = Long.parseLong(Files.readString(pidfile).trim());
            Await.until(WAIT, "the agent process " + pid + " to be gone", () -> ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true));
            List<Ledger.Entry> e = Ledger.read(ledger.file());
            assertEquals(OcfCode.TIMEOUT.code(), e.get(e.size() - 1).rc());
        }
    }
}
