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
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import vigil.api.status.ClusterState;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.SyntheticCluster;
import vigil.engine.scheduler.Transition;

/**
 * Milliseconds per {@link Scheduler#plan} on 100 nodes with 1,000 or 10,000 resources, half as many constraints
 * (location, colocation, order), half of the resources running. Prints numbers; never fails a build.
 * Run: {@code java -cp <test classpath> vigil.engine.scheduler.bench.SchedulerBench}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SchedulerBench {
    @Param({"1000", "10000"})
    public int resources;

    @Param({"100"})
    public int nodes;

    private ClusterState state;

    @Setup(Level.Trial)
    public void setUp() {
        state = SyntheticCluster.generate(SyntheticCluster.Spec.bench(nodes, resources), 42);
    }

    @Benchmark
    public Transition plan() {
        return Scheduler.plan(state);
    }

    public static void main(String[] args) throws RunnerException {
        new Runner(new OptionsBuilder().include(SchedulerBench.class.getSimpleName()).build()).run();
    }
}
