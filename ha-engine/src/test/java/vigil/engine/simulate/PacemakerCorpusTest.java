package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Pacemaker 2.1.5's scheduler regression corpus against crm_simulate's recorded summaries (no Pacemaker needed): every
 * input listed in the floor file ({@code pacemaker-cts/agreeing.txt}) must still agree strictly. When more inputs agree
 * than the floor lists, the test says how to raise it.
 */
class PacemakerCorpusTest {
    static CtsCorpus corpus() { return new CtsCorpus(SimulateCommandTest.resource("pacemaker-cts/NOTICE").getParent()); }

    @Test
    void corpus_isTheWholeUpstreamDirectory_eachWithARecording() {
        CtsCorpus c = corpus();
        assertEquals(799, c.names().size());
        List<String> missing = c.names().stream().filter(n -> c.recording(n).isEmpty()).toList();
        assertTrue(missing.isEmpty(), "no recording for " + missing + ": run bin/vigil simulate-compare --record");
    }

    @Test
    void everyInputOfTheFloorStillAgrees_andUnsupportedOnesNameTheElement() {
        CtsCorpus c = corpus();
        TreeSet<String> floor = c.floor();
        List<String> regressions = new ArrayList<>();
        TreeSet<String> beyondFloor = new TreeSet<>();
        int agree = 0, disagree = 0, unsupported = 0;
        for (String name : c.names()) {
            CorpusComparison.Verdict v = CorpusComparison.compare(c, name, c.recording(name).orElseThrow());
            switch (v.kind()) {
                case AGREE -> { agree++; if (!floor.contains(name)) beyondFloor.add(name); }
                case UNSUPPORTED -> {
                    unsupported++;
                    assertTrue(v.detail().startsWith("cib/"), name + ": an unsupported input must be rejected naming the element: " + v.detail());
                }
                case DISAGREE -> {
                    disagree++;
                    if (floor.contains(name)) regressions.add(name + ":\n    " + String.join("\n    ", v.diff()));
                }
            }
        }
        System.out.println("pacemaker-cts: agree=" + agree + " disagree=" + disagree + " unsupported=" + unsupported + " total=" + c.names().size()
                + " floor=" + floor.size());
        if (!beyondFloor.isEmpty()) {
            System.out.println(beyondFloor.size() + " inputs agree that the floor does not list yet " + beyondFloor
                    + "; raise it with: bin/vigil simulate-compare --update-floor");
        }
        assertTrue(floor.size() >= 100, "the floor file lists only " + floor.size() + " inputs");
        assertTrue(regressions.isEmpty(), regressions.size() + " inputs of the floor no longer agree with crm_simulate "
                + "(- crm_simulate only, + Vigil only):\n" + String.join("\n", regressions));
    }
}
