package vigil.engine.executor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import vigil.api.ManagedService;
import vigil.api.model.Primitive;
import vigil.engine.driver.DriverRegistry;
import vigil.engine.driver.JavaServiceDriver;

/** Random request streams: the limits hold and each resource's operations run in the order they were submitted. */
class ExecutorProperties {
    record Op(int resource, ResourceAction action) {}

    @Provide
    Arbitrary<Op> ops() {
        return Combinators.combine(Arbitraries.integers().between(0, 3),
                Arbitraries.of(ResourceAction.START, ResourceAction.STOP, ResourceAction.MONITOR)).as(Op::new);
    }

    @Property(tries = 40)
    void randomRequests_limitsHold_perResourceOrderKept(@ForAll @IntRange(min = 1, max = 3) int maxConcurrent,
                                                        @ForAll @Size(min = 1, max = 24) List<@net.jqwik.api.From("ops") Op> ops) {
        JavaServiceDriver services = new JavaServiceDriver();
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger overlapping = new AtomicInteger();
        Map<Integer, List<String>> ran = new HashMap<>();
        for (int r = 0; r < 4; r++) {
            List<String> log = Collections.synchronizedList(new ArrayList<>());
            ran.put(r, log);
            AtomicInteger mine = new AtomicInteger();
            services.register("r" + r, new ManagedService() {
                private void op(String what) {
                    if (mine.incrementAndGet() > 1) overlapping.incrementAndGet();
                    max.accumulateAndGet(now.incrementAndGet(), Math::max);
                    log.add(what);
                    long end = System.nanoTime() + 200_000;
                    while (System.nanoTime() < end) Thread.onSpinWait();
                    now.decrementAndGet();
                    mine.decrementAndGet();
                }

                @Override
                public void start() { op("start"); }

                @Override
                public void stop() { op("stop"); }

                @Override
                public boolean isRunning() { op("monitor"); return false; }
            });
        }
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
        try (Executor ex = Executor.builder("n1", new DriverRegistry(List.of(services.provider())), timer).maxConcurrent(maxConcurrent).build()) {
            List<CompletableFuture<ActionResult>> all = new ArrayList<>();
            Map<Integer, List<String>> expected = new HashMap<>();
            for (Op op : ops) {
                Primitive p = Primitive.builder("r" + op.resource(), "java:r" + op.resource()).build();
                all.add(ex.submit(ActionRequest.of("q" + all.size(), 1, p, op.action()).withTimeout(Duration.ofSeconds(30))));
                expected.computeIfAbsent(op.resource(), k -> new ArrayList<>()).add(op.action().text());
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).orTimeout(60, TimeUnit.SECONDS).join();
            if (max.get() > maxConcurrent) throw new AssertionError(max.get() + " operations at once, limit " + maxConcurrent);
            if (overlapping.get() > 0) throw new AssertionError(overlapping.get() + " operations overlapped on one resource");
            for (var e : expected.entrySet()) {
                if (!e.getValue().equals(ran.get(e.getKey()))) {
                    throw new AssertionError("r" + e.getKey() + " ran " + ran.get(e.getKey()) + ", submitted " + e.getValue());
                }
            }
        } finally {
            timer.shutdownNow();
        }
    }
}
