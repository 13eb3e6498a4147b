package vigil.engine.scheduler.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
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
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import vigil.api.status.ClusterState;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.SyntheticCluster;
import vigil.engine.scheduler.Transition;

/**
 * Milliseconds per {@link Scheduler#plan} on 1,000 and 10,000 resources x 100 nodes and 100,000 resources x 1,000
 * nodes, half as many constraints (location, colocation, order), half of the resources running. Prints numbers and a
 * line per round of forks and a last line
 * {@code plan_ms_1000x100=... plan_ms_10000x100=... growth_1000_to_10000=... plan_ms_100000x1000=...}; never fails a
 * build. With {@code -f N} the shapes' forks take turns ({@link #main}). Run: {@code bin/bench-scheduler-jmh} (JMH
 * options such as {@code -p shape=10000x100} pass on).
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

    private static final List<String> DEFAULT_SHAPES = List.of("1000x100", "10000x100", "100000x1000");

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

    /**
     * Runs each fork of each shape as a JMH run of its own, the shapes in turn (1,000, 10,000, 1,000, ...), so that the
     * forks of both shapes sample the same periods of the machine: on a shared host the speed of its memory drifts by
     * a third and more (10,000 resources feel it, 1,000 hardly: they fit in a core's own cache), and forks of one shape
     * run one after another could see another machine than the other shape's.
     * A shape's figure is the mean over its forks, as JMH's own would be.
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        List<String> shapes = cli.getParameter("shape").hasValue() ? List.copyOf(cli.getParameter("shape").get()) : DEFAULT_SHAPES;
        int forks = cli.getForkCount().hasValue() ? cli.getForkCount().get() : 1;
        Map<String, List<Double>> ms = new TreeMap<>();
        List<String> roundLines = new ArrayList<>();
        for (int round = 1; round <= Math.max(1, forks); round++) {
            StringBuilder roundLine = new StringBuilder("round " + round + ":");
            Map<String, Double> thisRound = new TreeMap<>();
            for (String shape : shapes) {
                Options options = new OptionsBuilder().parent(cli).include(SchedulerBench.class.getName() + ".plan")
                        .param("shape", shape).forks(forks == 0 ? 0 : 1).build();
                for (RunResult r : new Runner(options).run()) {
                    double score = r.getPrimaryResult().getScore();
                    ms.computeIfAbsent(shape, k -> new ArrayList<>()).add(score);
                    thisRound.put(shape, score);
                    roundLine.append(String.format(Locale.ROOT, " plan_ms_%s=%.2f", shape, score));
                }
            }
            if (thisRound.containsKey("1000x100") && thisRound.containsKey("10000x100")) {
                roundLine.append(String.format(Locale.ROOT, " growth=%.1f", thisRound.get("10000x100") / thisRound.get("1000x100")));
            }
            roundLines.add(roundLine.toString());
        }
        roundLines.forEach(System.out::println);
        Map<String, Double> mean = new TreeMap<>();
        ms.forEach((shape, scores) -> mean.put(shape, scores.stream().mapToDouble(Double::doubleValue).average().orElseThrow()));
        StringBuilder line = new StringBuilder();
        for (String shape : DEFAULT_SHAPES) {
            if (mean.containsKey(shape)) line.append(String.format(Locale.ROOT, "plan_ms_%s=%.1f ", shape, mean.get(shape)));
            if (shape.equals("10000x100") && mean.containsKey("1000x100") && mean.containsKey("10000x100")) {
                line.append(String.format(Locale.ROOT, "growth_1000_to_10000=%.1f ", mean.get("10000x100") / mean.get("1000x100")));
            }
        }
        System.out.println(line.toString().strip());
    }
}
