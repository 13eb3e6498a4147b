package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.spi.ProcessRunner;
import vigil.engine.cib.CibWriter;
import vigil.engine.simulate.CrmSimulate;
import vigil.engine.simulate.SummaryComparison;

/**
 * The scheduler scenarios say what Pacemaker says: each scenario is written as a CIB, planned by the real
 * crm_simulate (pacemaker-cli-utils; its absence fails the test), and its transition summary must agree with the
 * scenario's expected one (strictly, as simulate-compare compares), and the scenario's plan must hold the same starts,
 * stops, promotions, demotions, migrations and fences as crm_simulate executes. Scenarios about what only Vigil has (witness
 * nodes, pending operations on lost nodes, dual-primary migration windows) say so in a line
 * {@code # oracle: vigil-only (why)} and are skipped, with the reason listed.
 */
class ScenarioOracleIT {
    @Test
    void everyScenario_agreesWithCrmSimulate(@TempDir Path dir) throws Exception {
        List<String> mismatches = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        int checked = 0;
        for (Path f : SchedulerScenarioTest.files()) {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            String name = f.getFileName().toString();
            int mark = text.indexOf("# oracle: vigil-only");
            if (mark >= 0) {
                skipped.add(name + " " + text.substring(mark + "# oracle: vigil-only".length(), text.indexOf('\n', mark)).strip());
                continue;
            }
            Scenario sc = Scenario.parse(text);
            if (!CibWriter.representable(sc.state)) {
                skipped.add(name + " (witness nodes have no Pacemaker equivalent)");
                continue;
            }
            Path cib = dir.resolve(name + ".xml");
            Files.writeString(cib, CibWriter.write(sc.state), StandardCharsets.UTF_8);
            ProcessRunner.ProcessResult r = ProcessRunner.local().run(List.of("crm_simulate", "-x", cib.toString(), "-S"), java.time.Duration.ofMinutes(2));
            assertTrue(r.exitCode() != 127, "crm_simulate is not installed (apt-get install pacemaker-cli-utils)");
            assertTrue(r.ok(), name + ": crm_simulate failed: " + r.stderr());
            List<String> crm = CrmSimulate.summaryLines(r.stdout());
            List<String> vigil = TransitionSummary.lines(sc.state, Scheduler.plan(sc.state));
            var anonymous = SummaryComparison.anonymousInstances(sc.state.config());
            List<String> diff = SummaryComparison.diff(SummaryComparison.normalize(crm, anonymous), SummaryComparison.normalize(vigil, anonymous));
            Transition t = Scheduler.plan(sc.state);
            List<String> crmActions = new ArrayList<>();
            for (String a : executedActions(r.stdout())) {
                String[] w = a.split(" ");
                String base = w.length == 3 ? w[1].replaceAll(":[0-9]+$", "") : "";
                if (w.length == 3 && anonymous.containsKey(base)) a = w[0] + " " + base + " " + w[2]; // Vigil names anonymous instances by their primitive
                crmActions.add(a);
            }
            List<String> vigilActions = new ArrayList<>();
            for (PlannedAction a : t.actions()) {
                if (a.kind() == ActionKind.FENCE) vigilActions.add("fence " + a.node());
                else if (a.kind() != ActionKind.MONITOR) vigilActions.add(a.kind().text() + " " + a.resource() + " " + a.node());
            }
            crmActions.sort(null);
            vigilActions.sort(null);
            if (!crmActions.equals(vigilActions)) diff.add("actions: crm_simulate " + crmActions + " vigil " + vigilActions);
            if (!diff.isEmpty()) mismatches.add(name + ":\n    " + String.join("\n    ", diff));
            checked++;
        }
        System.out.println("scenarios checked against crm_simulate: " + checked + "; vigil-only: " + skipped.size());
        skipped.forEach(s -> System.out.println("  vigil-only " + s));
        mismatches.forEach(m -> System.out.println("MISMATCH " + m));
        assertTrue(mismatches.isEmpty(), mismatches.size() + " scenarios disagree with crm_simulate (- crm_simulate, + Vigil):\n" + String.join("\n", mismatches));
    }

    /** The starts, stops, promotions, demotions, migrations and fences of crm_simulate's "Executing Cluster Transition". */
    static List<String> executedActions(String stdout) {
        List<String> out = new ArrayList<>();
        boolean in = false;
        for (String line : stdout.split("\n")) {
            if (line.startsWith("Executing Cluster Transition:")) { in = true; continue; }
            if (!in) continue;
            if (!line.startsWith(" ")) break;
            String l = line.strip();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\* Resource action: +(\\S+) +(\\S+) on (\\S+)").matcher(l);
            if (m.matches() && List.of("start", "stop", "promote", "demote", "migrate_to", "migrate_from").contains(m.group(2))) {
                out.add(m.group(2) + " " + m.group(1) + " " + m.group(3));
            }
            m = java.util.regex.Pattern.compile("\\* Fencing (\\S+) \\(.*\\)").matcher(l);
            if (m.matches()) out.add("fence " + m.group(1));
        }
        return out;
    }
}
