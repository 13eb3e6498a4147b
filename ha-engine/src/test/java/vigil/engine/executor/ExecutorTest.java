package vigil.engine.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.ManagedService;
import vigil.api.model.Clone;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Operation;
import vigil.api.model.Primitive;
import vigil.api.model.Role;
import vigil.api.status.OcfCode;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;
import vigil.testkit.Await;

class ExecutorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final JavaServiceDriver services = new JavaServiceDriver();
    private final List<ActionResult> reported = new CopyOnWriteArrayList<>();
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private ScheduledExecutorService timer;
    private Executor executor;

    /** A service that keeps its state in memory and records every callback; optionally waits in start. */
    final class Svc implements ManagedService {
        final String name;
        final AtomicBoolean running = new AtomicBoolean();
        final AtomicBoolean promoted = new AtomicBoolean();
        final AtomicInteger monitors = new AtomicInteger();
        volatile CountDownLatch startGate;
        volatile boolean interrupted;

        Svc(String name) {
            this.name = name;
            services.register(name, this);
        }

        @Override
        public void start() throws Exception {
            calls.add(name + ".start");
            CountDownLatch g = startGate;
            if (g != null) {
                try {
                    g.await();
                } catch (InterruptedException e) {
                    interrupted = true;
                    throw e;
                }
            }
            running.set(true);
        }

        @Override
        public void stop() {
            calls.add(name + ".stop");
            running.set(false);
            promoted.set(false);
        }

        @Override
        public boolean isRunning() {
            monitors.incrementAndGet();
            return running.get();
        }

        @Override
        public void promote() {
            calls.add(name + ".promote");
            promoted.set(true);
        }

        @Override
        public void demote() {
            calls.add(name + ".demote");
            if (!running.get()) throw new IllegalStateException("not running");
            promoted.set(false);
        }

        @Override
        public boolean isPromoted() { return promoted.get(); }
    }

    @BeforeEach
    void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor();
        executor = build(4, Duration.ofSeconds(5), null);
    }

    private Executor build(int max, Duration grace, Ledger ledger) {
        return Executor.builder("n1", new DriverRegistry(List.of(services.provider())), timer)
                .maxConcurrent(max).killGrace(grace).listener(reported::add).ledger(ledger).build();
    }

    @AfterEach
    void tearDown() {
        executor.close();
        timer.shutdownNow();
    }

    private static Primitive svc(String name) { return Primitive.builder(name, "java:" + name).build(); }

    private static Primitive monitored(String name, Duration interval) {
        return Primitive.builder(name, "java:" + name).monitor(interval, Duration.ofSeconds(5)).build();
    }

    private static ActionResult done(CompletableFuture<ActionResult> f) {
        return f.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private static ActionRejectedException rejection(CompletableFuture<ActionResult> f) {
        CompletionException e = assertThrows(CompletionException.class, () -> f.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join());
        return assertInstanceOf(ActionRejectedException.class, e.getCause());
    }

    @Test
    void start_success_reportedWithRequestIdTermAndNode() {
        Svc a = new Svc("a");
        ActionResult r = done(executor.submit(ActionRequest.of("req-1", 3, svc("a"), ResourceAction.START)));
        assertEquals(OcfCode.SUCCESS, r.code());
        assertEquals("req-1", r.requestId());
        assertEquals(3, r.term());
        assertEquals("n1", r.node());
        assertEquals(ResourceAction.START, r.action());
        assertTrue(a.running.get());
        assertEquals(List.of(r), reported);
        assertEquals(Role.STARTED, executor.role("a").orElseThrow());
    }

    @Test
    void callbackThrows_genericErrorAndRoleUnknown() {
        new Svc("b");
        Primitive p = svc("b");
        ActionResult r = done(executor.submit(ActionRequest.of("r", 1, p, ResourceAction.DEMOTE)));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("IllegalStateException: not running"), r.message());
        assertTrue(executor.role("b").isEmpty());
        assertEquals(List.of("b"), executor.possiblyActive());
    }

    @Test
    void unknownTypeOrUnregisteredService_notInstalled() {
        ActionResult none = done(executor.submit(ActionRequest.of("r", 1, Primitive.builder("x", "lsb:x").build(), ResourceAction.START)));
        assertEquals(OcfCode.ERR_INSTALLED, none.code());
        assertTrue(none.message().contains("no driver for type \"lsb:x\""), none.message());
        ActionResult unregistered = done(executor.submit(ActionRequest.of("r", 1, svc("ghost"), ResourceAction.START)));
        assertEquals(OcfCode.ERR_INSTALLED, unregistered.code());
    }

    @Test
    void driverCannotBeCreated_notConfiguredOrAFailureWithSecretsMasked() {
        executor.close();
        vigil.api.spi.ResourceDriverProvider picky = new vigil.api.spi.ResourceDriverProvider() {
            @Override
            public boolean supports(String type) { return type.startsWith("picky:"); }

            @Override
            public vigil.api.spi.ResourceDriver create(String type) {
                if (type.equals("picky:bad")) throw new vigil.api.ConfigException("type", "\"" + type + "\" is not a picky type", "use picky:good");
                throw new IllegalStateException("cannot reach the hypervisor with password hunter22");
            }
        };
        executor = Executor.builder("n1", new DriverRegistry(List.of(picky)), timer).listener(reported::add).build();
        ActionResult bad = done(executor.submit(ActionRequest.of("1", 1, Primitive.builder("p", "picky:bad").build(), ResourceAction.START)));
        assertEquals(OcfCode.ERR_CONFIGURED, bad.code());
        assertTrue(bad.message().contains("use picky:good"), bad.message());
        Primitive broken = Primitive.builder("q", "picky:other").param("password", "hunter22").build();
        ActionResult err = done(executor.submit(ActionRequest.of("2", 1, broken, ResourceAction.START)));
        // a failure of this resource here (recorded, so that it is kept off this node), not an executor refusal that is retried for ever
        assertEquals(OcfCode.ERR_GENERIC, err.code());
        assertTrue(err.message().contains("the driver for picky:other threw"), err.message());
        assertFalse(err.message().contains("hunter22"), err.message());
    }

    @Test
    void timeout_interruptedAndReportedAsTimeout_thenStopRuns() {
        Svc slow = new Svc("slow");
        slow.startGate = new CountDownLatch(1);
        ActionResult r = done(executor.submit(ActionRequest.of("r", 1, svc("slow"), ResourceAction.START).withTimeout(Duration.ofMillis(200))));
        assertEquals(OcfCode.TIMEOUT, r.code());
        assertTrue(r.message().contains("did not finish within 200ms"), r.message());
        assertTrue(slow.interrupted, "the callback saw the interrupt");
        assertTrue(executor.role("slow").isEmpty(), "a timed-out start may have left it running");
        assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("r2", 1, svc("slow"), ResourceAction.STOP))).code());
    }

    @Test
    void timeout_callbackIgnoresInterrupt_abandonedAfterGrace_resourceNotHeldUp() throws Exception {
        executor.close();
        executor = build(4, Duration.ofMillis(200), null);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger stops = new AtomicInteger();
        services.register("stubborn", new ManagedService() {
            @Override
            public void start() {
                while (release.getCount() > 0) {
                    try {
                        release.await();
                    } catch (InterruptedException ignored) {
                        // deliberately deaf to the interrupt
                    }
                }
            }

            @Override
            public void stop() { stops.incrementAndGet(); }

            @Override
            public boolean isRunning() { return false; }
        });
        try {
            ActionResult r = done(executor.submit(ActionRequest.of("r", 1, svc("stubborn"), ResourceAction.START).withTimeout(Duration.ofMillis(200))));
            assertEquals(OcfCode.TIMEOUT, r.code());
            assertTrue(r.message().contains("abandoned"), r.message());
            assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("r2", 1, svc("stubborn"), ResourceAction.STOP))).code());
            assertEquals(1, stops.get());
        } finally {
            release.countDown();
        }
    }

    @Test
    void concurrencyLimit_neverMoreThanMaxAtOnce_andOneOperationPerResource() {
        executor.close();
        executor = build(2, Duration.ofSeconds(5), null);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        Map<String, AtomicInteger> perResource = new ConcurrentHashMap<>();
        AtomicInteger maxPerResource = new AtomicInteger();
        CountDownLatch gate = new CountDownLatch(1);
        for (int i = 0; i < 4; i++) {
            String name = "c" + i;
            services.register(name, new ManagedService() {
                private void op() throws InterruptedException {
                    int n = now.incrementAndGet();
                    max.accumulateAndGet(n, Math::max);
                    int p = perResource.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
                    maxPerResource.accumulateAndGet(p, Math::max);
                    try {
                        gate.await();
                    } finally {
                        perResource.get(name).decrementAndGet();
                        now.decrementAndGet();
                    }
                }

                @Override
                public void start() throws Exception { op(); }

                @Override
                public void stop() throws Exception { op(); }

                @Override
                public boolean isRunning() { return false; }
            });
        }
        List<CompletableFuture<ActionResult>> all = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            all.add(executor.submit(ActionRequest.of("s" + i, 1, svc("c" + i), ResourceAction.START)));
            all.add(executor.submit(ActionRequest.of("t" + i, 1, svc("c" + i), ResourceAction.STOP)));
        }
        Await.until(WAIT, "two operations running", () -> now.get() == 2);
        assertEquals(2, executor.inFlight().size());
        gate.countDown();
        for (CompletableFuture<ActionResult> f : all) assertEquals(OcfCode.SUCCESS, done(f).code());
        assertEquals(2, max.get(), "at most maxConcurrent at once");
        assertEquals(1, maxPerResource.get(), "one operation per resource at a time");
    }

    @Test
    void staleTerm_rejectedWithoutRunning() {
        Svc a = new Svc("a");
        done(executor.submit(ActionRequest.of("r1", 5, svc("a"), ResourceAction.START)));
        ActionRejectedException e = rejection(executor.submit(ActionRequest.of("r2", 4, svc("a"), ResourceAction.STOP)));
        assertTrue(e.getMessage().contains("stale term 4 < 5"), e.getMessage());
        assertEquals(5, e.newestTerm());
        assertTrue(a.running.get(), "the stale stop did not run");
        assertEquals(List.of("a.start"), calls);
        assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("r3", 6, svc("a"), ResourceAction.STOP))).code());
    }

    @Test
    void queuedRequest_overtakenByNewerTerm_droppedBeforeItRuns() {
        Svc a = new Svc("a");
        a.startGate = new CountDownLatch(1);
        CompletableFuture<ActionResult> start = executor.submit(ActionRequest.of("r1", 2, svc("a"), ResourceAction.START));
        Await.until(WAIT, "start running", () -> calls.contains("a.start"));
        CompletableFuture<ActionResult> stop = executor.submit(ActionRequest.of("r2", 2, svc("a"), ResourceAction.STOP));
        assertEquals(3, executor.observeTerm(3));
        a.startGate.countDown();
        assertEquals(OcfCode.SUCCESS, done(start).code(), "the running operation finishes");
        assertTrue(rejection(stop).getMessage().contains("term 2 was overtaken by 3"));
        assertEquals(List.of("a.start"), calls);
    }

    @Test
    void recurringMonitor_startedAfterStart_failureReportedOnce_cancelledOnStop() {
        Svc m = new Svc("m");
        Primitive p = monitored("m", Duration.ofMillis(50));
        done(executor.submit(ActionRequest.of("r1", 1, p, ResourceAction.START)));
        assertEquals(Map.of("m", Duration.ofMillis(50)), executor.recurringMonitors());
        Await.until(WAIT, "the monitor to run twice", () -> m.monitors.get() >= 2);
        assertEquals(1, reported.size(), "a healthy monitor is not reported");

        m.running.set(false); // the service died on its own
        ActionResult failure = Await.value(WAIT, "the monitor failure", () -> reported.size() > 1 ? reported.get(1) : null);
        assertEquals(ResourceAction.MONITOR, failure.action());
        assertEquals(Duration.ofMillis(50), failure.interval());
        assertEquals(OcfCode.NOT_RUNNING, failure.code());
        assertEquals("r1", failure.requestId());
        int seen = m.monitors.get();
        Await.until(WAIT, "three more monitors", () -> m.monitors.get() >= seen + 3);
        assertEquals(2, reported.size(), "the same failure is reported once");

        done(executor.submit(ActionRequest.of("r2", 1, p, ResourceAction.STOP)));
        assertEquals(Map.of(), executor.recurringMonitors());
    }

    @Test
    void recurringMonitor_newPromotionScoreReported_sameScoreNot() {
        executor.close();
        AtomicInteger score = new AtomicInteger(1000);
        AtomicInteger monitors = new AtomicInteger();
        vigil.api.spi.ResourceDriverProvider scored = new vigil.api.spi.ResourceDriverProvider() {
            @Override
            public boolean supports(String type) { return type.equals("scored"); }

            @Override
            public vigil.api.spi.ResourceDriver create(String type) {
                return new vigil.api.spi.ResourceDriver() {
                    @Override
                    public vigil.api.spi.OperationResult start(vigil.api.spi.ResourceInstance i) { return vigil.api.spi.OperationResult.success(); }

                    @Override
                    public vigil.api.spi.OperationResult stop(vigil.api.spi.ResourceInstance i) { return vigil.api.spi.OperationResult.success(); }

                    @Override
                    public vigil.api.spi.OperationResult monitor(vigil.api.spi.ResourceInstance i) {
                        monitors.incrementAndGet();
                        return vigil.api.spi.OperationResult.success().withPromotionScore(score.get());
                    }

                    @Override
                    public vigil.api.spi.ResourceMetadata metadata() { return new vigil.api.spi.ResourceMetadata("scored", List.of(), Map.of()); }
                };
            }
        };
        executor = Executor.builder("n1", new DriverRegistry(List.of(scored)), timer).listener(reported::add).build();
        Primitive p = Primitive.builder("d", "scored").monitor(Duration.ofMillis(40), Duration.ofSeconds(5)).build();
        done(executor.submit(ActionRequest.of("r1", 1, p, ResourceAction.START)));
        Await.until(WAIT, "the first score reported", () -> reported.stream().anyMatch(r -> r.interval().equals(Duration.ofMillis(40))));
        int seen = monitors.get();
        Await.until(WAIT, "three more monitors", () -> monitors.get() >= seen + 3);
        assertEquals(1, reported.stream().filter(r -> r.action() == ResourceAction.MONITOR).count(), "an unchanged score is not news: " + reported);

        score.set(10000); // e.g. a DRBD peer finished its resync
        ActionResult news = Await.value(WAIT, "the new score reported", () -> reported.stream()
                .filter(r -> r.action() == ResourceAction.MONITOR && r.promotionScore().orElse(0) == 10000).findFirst().orElse(null));
        assertEquals(OcfCode.SUCCESS, news.code());
        done(executor.submit(ActionRequest.of("r2", 1, p, ResourceAction.STOP)));
    }

    @Test
    void recurringMonitor_perRole_promotedAfterPromote_unpromotedAfterDemote() {
        Svc s = new Svc("p");
        Primitive p = Primitive.builder("p", "java:p")
                .operation(new Operation("monitor", Duration.ofMillis(40), Duration.ofSeconds(5), null, Role.PROMOTED))
                .operation(new Operation("monitor", Duration.ofMillis(60), Duration.ofSeconds(5), null, Role.UNPROMOTED)).build();
        Clone clone = new Clone("p-clone", p, null, true);
        done(executor.submit(ActionRequest.of("r1", 1, p, ResourceAction.START).asCloneInstance(clone, 0)));
        assertEquals(Role.UNPROMOTED, executor.role("p:0").orElseThrow());
        assertEquals(Map.of("p:0", Duration.ofMillis(60)), executor.recurringMonitors());
        done(executor.submit(ActionRequest.of("r2", 1, p, ResourceAction.PROMOTE).asCloneInstance(clone, 0)));
        assertEquals(Map.of("p:0", Duration.ofMillis(40)), executor.recurringMonitors());
        int seen = s.monitors.get();
        Await.until(WAIT, "promoted monitors", () -> s.monitors.get() >= seen + 2);
        assertEquals(2, reported.size(), "RUNNING_PROMOTED is what a promoted instance's monitor expects");
        done(executor.submit(ActionRequest.of("r3", 1, p, ResourceAction.DEMOTE).asCloneInstance(clone, 0)));
        assertEquals(Map.of("p:0", Duration.ofMillis(60)), executor.recurringMonitors());
    }

    @Test
    void probeAll_findsWhatRunsOutsideClusterControl() {
        Svc a = new Svc("a");
        new Svc("b");
        a.running.set(true); // started by hand, not by the cluster
        List<ActionResult> probes = executor.probeAll(7, List.of(svc("a"), svc("b"))).orTimeout(20, TimeUnit.SECONDS).join();
        assertEquals(OcfCode.SUCCESS, probes.get(0).code());
        assertEquals(OcfCode.NOT_RUNNING, probes.get(1).code());
        assertEquals(Duration.ZERO, probes.get(0).interval());
        assertEquals(7, probes.get(0).term());
        assertEquals(List.of("a"), executor.possiblyActive());
        assertEquals(Map.of(), executor.recurringMonitors(), "a probe starts no recurring monitor");
        ActionResult ghost = done(executor.submit(ActionRequest.probe("p", 7, svc("ghost"))));
        assertEquals(OcfCode.ERR_INSTALLED, ghost.code());
        assertEquals(Role.STOPPED, executor.role("ghost").orElseThrow(), "what cannot run here does not run here");
    }

    @Test
    void quorumLost_stop_demotesThenStopsEverything_andRefusesStartsUntilQuorumReturns() {
        Svc a = new Svc("a");
        Svc p = new Svc("p");
        new Svc("idle");
        Primitive pp = svc("p");
        Clone clone = new Clone("p-clone", pp, null, true);
        done(executor.submit(ActionRequest.of("1", 1, svc("a"), ResourceAction.START)));
        done(executor.submit(ActionRequest.of("2", 1, pp, ResourceAction.START).asCloneInstance(clone, 0)));
        done(executor.submit(ActionRequest.of("3", 1, pp, ResourceAction.PROMOTE).asCloneInstance(clone, 0)));
        done(executor.submit(ActionRequest.of("4", 1, svc("idle"), ResourceAction.STOP)));
        calls.clear();
        reported.clear();

        List<ActionResult> stopped = executor.quorumLost(NoQuorumPolicy.STOP).orTimeout(20, TimeUnit.SECONDS).join();
        assertFalse(a.running.get());
        assertFalse(p.running.get());
        assertTrue(calls.indexOf("p.demote") >= 0 && calls.indexOf("p.demote") < calls.indexOf("p.stop"), calls.toString());
        assertFalse(calls.contains("idle.stop"), "a stopped resource is not stopped again");
        assertEquals(3, stopped.size());
        assertTrue(stopped.stream().allMatch(ActionResult::isSuccess), stopped.toString());
        assertEquals(3, reported.size(), "stop-all results go to the listener too");
        assertEquals(List.of(), executor.possiblyActive());

        assertTrue(rejection(executor.submit(ActionRequest.of("5", 2, svc("a"), ResourceAction.START))).getMessage().contains("no quorum"));
        assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("6", 2, svc("a"), ResourceAction.STOP))).code(),
                "stopping stays allowed");
        executor.quorumRegained();
        assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("7", 2, svc("a"), ResourceAction.START))).code());
    }

    @Test
    void runsNothing_onlyWithoutQuorum_onceNothingRunsAndEveryResourceSeenHereIsKnownStopped() {
        Svc a = new Svc("a");
        new Svc("b");
        done(executor.submit(ActionRequest.of("1", 1, svc("a"), ResourceAction.START)));
        done(executor.submit(ActionRequest.probe("2", 1, svc("b"))));
        assertFalse(executor.runsNothing(), "a runs");
        executor.quorumLost(NoQuorumPolicy.FREEZE).join();
        assertFalse(executor.runsNothing(), "frozen: a still runs");
        executor.quorumLost(NoQuorumPolicy.STOP).orTimeout(20, TimeUnit.SECONDS).join();
        assertTrue(executor.runsNothing());
        executor.quorumRegained();
        assertFalse(executor.runsNothing(), "with quorum a start may come at any time");

        a.startGate = new CountDownLatch(1);
        CompletableFuture<ActionResult> start = executor.submit(ActionRequest.of("3", 2, svc("a"), ResourceAction.START));
        Await.until(WAIT, "start running", () -> calls.contains("a.start"));
        CompletableFuture<List<ActionResult>> stopped = executor.quorumLost(NoQuorumPolicy.STOP);
        assertFalse(executor.runsNothing(), "a start is running");
        a.startGate.countDown();
        done(start);
        stopped.orTimeout(20, TimeUnit.SECONDS).join();
        assertTrue(executor.runsNothing());
    }

    @Test
    void quorumLost_freeze_leavesResourcesRunning_ignore_acceptsStarts() {
        Svc a = new Svc("a");
        new Svc("b");
        done(executor.submit(ActionRequest.of("1", 1, svc("a"), ResourceAction.START)));
        assertEquals(List.of(), executor.quorumLost(NoQuorumPolicy.FREEZE).join());
        assertTrue(a.running.get());
        rejection(executor.submit(ActionRequest.of("2", 1, svc("b"), ResourceAction.START)));
        executor.quorumLost(NoQuorumPolicy.IGNORE).join();
        assertTrue(a.running.get());
        assertEquals(OcfCode.SUCCESS, done(executor.submit(ActionRequest.of("3", 1, svc("b"), ResourceAction.START))).code());
    }

    @Test
    void stopAll_whileAStartRuns_stopsItAfterTheStart() {
        Svc a = new Svc("a");
        a.startGate = new CountDownLatch(1);
        CompletableFuture<ActionResult> start = executor.submit(ActionRequest.of("1", 1, monitored("a", Duration.ofMillis(30)), ResourceAction.START));
        Await.until(WAIT, "start running", () -> calls.contains("a.start"));
        CompletableFuture<List<ActionResult>> stopped = executor.stopAll("test");
        a.startGate.countDown();
        assertEquals(OcfCode.SUCCESS, done(start).code());
        assertEquals(OcfCode.SUCCESS, stopped.orTimeout(20, TimeUnit.SECONDS).join().get(0).code());
        assertFalse(a.running.get());
        assertEquals(Map.of(), executor.recurringMonitors(), "no monitor starts between the start and the stop-all's stop");
    }

    @Test
    void ledger_recordsBeginAndEndOfStartAndStop_notMonitors(@TempDir Path dir) {
        executor.close();
        Ledger ledger = Ledger.open(dir.resolve("ledger"), InstantSource.system());
        executor = build(4, Duration.ofSeconds(5), ledger);
        new Svc("a");
        done(executor.submit(ActionRequest.of("1", 1, svc("a"), ResourceAction.START)));
        done(executor.submit(ActionRequest.probe("2", 1, svc("a"))));
        done(executor.submit(ActionRequest.of("3", 1, svc("a"), ResourceAction.STOP)));
        List<Ledger.Entry> lines = Ledger.read(ledger.file());
        assertEquals(4, lines.size(), lines.toString());
        assertEquals(List.of("start/begin", "start/end", "stop/begin", "stop/end"),
                lines.stream().map(e -> e.action() + "/" + e.phase()).toList());
        assertTrue(lines.stream().allMatch(e -> e.node().equals("n1") && e.resource().equals("a")));
        assertEquals(0, lines.get(1).rc());
        for (int i = 1; i < lines.size(); i++) assertTrue(lines.get(i).epochNanos() >= lines.get(i - 1).epochNanos());
        ledger.close();
    }

    @Test
    void request_invalidValues_rejectedNamingTheResource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ActionRequest.of("1", 1, svc("a"), ResourceAction.START).withInterval(Duration.ofSeconds(10)));
        assertTrue(e.getMessage().startsWith("a: only monitor can recur"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ActionRequest.of("1", 1, svc("a"), ResourceAction.START).withTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> ResourceAction.parse("reboot"));
        assertEquals(ResourceAction.MIGRATE_FROM, ResourceAction.parse("migrate_from"));
    }

    @Test
    void stopAll_unpromotedInstance_stoppedWithoutDemote_unknownRoleDemotedFirst() {
        Svc u = new Svc("u");
        Svc x = new Svc("x");
        Primitive pu = svc("u");
        Primitive px = svc("x");
        done(executor.submit(ActionRequest.of("1", 1, pu, ResourceAction.START).asCloneInstance(new Clone("u-clone", pu, null, true), 0)));
        // x is not running, so its demote throws: the failure leaves x's role unknown, it may still be promoted
        done(executor.submit(ActionRequest.of("2", 1, px, ResourceAction.DEMOTE).asCloneInstance(new Clone("x-clone", px, null, true), 0)));
        calls.clear();
        List<ActionResult> r = executor.stopAll("test").orTimeout(20, TimeUnit.SECONDS).join();
        assertEquals(List.of(ResourceAction.STOP, ResourceAction.DEMOTE, ResourceAction.STOP), r.stream().map(ActionResult::action).toList());
        assertFalse(calls.contains("u.demote"), calls.toString());
        assertTrue(calls.indexOf("x.demote") < calls.indexOf("x.stop"), calls.toString());
        assertFalse(u.running.get());
    }
}
