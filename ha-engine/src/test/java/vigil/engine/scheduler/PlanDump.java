package vigil.engine.scheduler;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import vigil.api.model.Score;
import vigil.api.status.ClusterState;
import vigil.engine.cib.CibImporter;
import vigil.engine.simulate.CtsCorpus;

/**
 * Writes every plan of a fixed set of inputs in full (actions with their reasons, summary changes, unplaced resources,
 * scores, summary lines), so that a change meant to make the scheduler faster can be checked to change no plan: dump
 * before, dump after, compare the files. Inputs: 400 random clusters (fixed seeds, the generator of the properties),
 * both benchmark shapes, and every input of the Pacemaker corpus. Run by hand:
 * {@code java -cp <test classpath> vigil.engine.scheduler.PlanDump out.txt}.
 */
public final class PlanDump {
    private PlanDump() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "plans.txt");
        try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (long seed = 1; seed <= 400; seed++) {
                SplittableRandom r = new SplittableRandom(seed * 7919);
                int nodes = 1 + r.nextInt(50);
                int resources = r.nextInt(501);
                double constraints = r.nextDouble() * 1.5;
                double troubled = r.nextDouble() * 0.4;
                var spec = new SyntheticCluster.Spec(nodes, resources, (int) (resources * constraints), 0.5, troubled, 0.1, (int) (seed & 1) * 50, true);
                dump(w, "random " + seed + " " + spec, SyntheticCluster.generate(spec, seed));
            }
            for (int resources : new int[] {1000, 10000}) {
                dump(w, "bench " + resources + "x100", SyntheticCluster.generate(SyntheticCluster.Spec.bench(100, resources), 42));
            }
            CtsCorpus corpus = new CtsCorpus(Path.of(CtsCorpus.COMMITTED));
            for (String name : corpus.names()) {
                ClusterState state;
                try {
                    state = CibImporter.read(corpus.input(name), corpus.effectiveTime(name));
                } catch (RuntimeException e) {
                    w.write("== corpus " + name + ": not imported: " + e.getMessage() + "\n");
                    continue;
                }
                dump(w, "corpus " + name, state);
            }
        }
    }

    private static void dump(BufferedWriter w, String title, ClusterState state) throws IOException {
        w.write("== " + title + "\n");
        Transition t;
        try {
            t = Scheduler.plan(state);
        } catch (RuntimeException e) {
            w.write("! " + e + "\n");
            return;
        }
        for (PlannedAction a : t.actions()) {
            w.write(a.id() + " " + a.kind() + " " + a.resource() + " " + a.node() + " peer=" + a.peer() + " interval=" + a.interval()
                    + " after=" + a.after() + " reason=" + a.reason() + "\n");
        }
        for (Transition.Change c : t.changes()) w.write("change " + c + "\n");
        for (Map.Entry<String, String> e : t.notPlaced().entrySet()) w.write("notPlaced " + e.getKey() + " " + e.getValue() + "\n");
        if (!t.scores().isEmpty()) w.write("scores without asking: " + t.scores() + "\n");
        for (String line : TransitionSummary.lines(state, t)) w.write("summary " + line + "\n");
        Transition withScores = Scheduler.plan(state, true);
        if (!withScores.actions().equals(t.actions()) || !withScores.changes().equals(t.changes()) || !withScores.notPlaced().equals(t.notPlaced())) {
            w.write("! the plan with scores differs\n");
        }
        for (Map.Entry<String, Map<String, Score>> e : withScores.scores().entrySet()) {
            StringBuilder line = new StringBuilder("score ").append(e.getKey());
            for (Map.Entry<String, Score> s : e.getValue().entrySet()) line.append(' ').append(s.getKey()).append('=').append(s.getValue());
            w.write(line.append('\n').toString());
        }
    }
}
