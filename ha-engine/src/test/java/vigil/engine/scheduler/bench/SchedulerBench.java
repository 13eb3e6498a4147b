package vigil.engine.scheduler.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import vigil.api.status.ClusterState;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.SyntheticCluster;
import vigil.engine.scheduler.Transition;

/**
 * Milliseconds per {@link Scheduler#plan} on 1,000 and 10,000 resources x 100 nodes and 100,000 resources x 1,000
 * nodes, half as many constraints (location, colocation, order), half of the resources running. Prints numbers and a
 * last line {@code plan_ms_1000x100=... plan_ms_10000x100=... growth_1000_to_10000=... plan_ms_100000x1000=...};
 * never fails a build. Run: {@code bin/bench-scheduler-jmh} (JMH options such as {@code -p shape=10000x100} pass on).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SchedulerBench {
    /** resources x nodes */
    @Param({"1000x100", "10000x100", "100000x1000"})
    public String shape;

    private ClusterState state;

    @Setup(Level.Trial)
    public void setUp() {
        String[] rn = shape.split("x");
        state = SyntheticCluster.generate(SyntheticCluster.Spec.bench(Integer.parseInt(rn[1]), Integer.parseInt(rn[0])), 42);
    }

    @Benchmark
    public Transition plan() {
        return Scheduler.plan(state);
    }

    public static void main(String[] args) throws Exception {
        org.openjdk.jmh.runner.options.CommandLineOptions cli = new org.openjdk.jmh.runner.options.CommandLineOptions(args);
        java.util.Collection<org.openjdk.jmh.results.RunResult> results =
                new Runner(new OptionsBuilder().parent(cli).include(SchedulerBench.class.getName() + ".plan").build()).run();
        java.util.Map<String, Double> ms = new java.util.TreeMap<>();
        for (org.openjdk.jmh.results.RunResult r : results) ms.put(r.getParams().getParam("shape"), r.getPrimaryResult().getScore());
        StringBuilder line = new StringBuilder();
        for (String shape : java.util.List.of("1000x100", "10000x100", "100000x1000")) {
            if (ms.containsKey(shape)) line.append(String.format(java.util.Locale.ROOT, "plan_ms_%s=%.1f ", shape, ms.get(shape)));
            if (shape.equals("10000x100") && ms.containsKey("1000x100") && ms.containsKey("10000x100")) {
                line.append(String.format(java.util.Locale.ROOT, "growth_1000_to_10000=%.1f ", ms.get("10000x100") / ms.get("1000x100")));
            }
        }
        System.out.println(line.toString().strip());
    }
}
