package vigil.engine.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.spi.ProcessRunner;

/**
 * The recordings are still what crm_simulate says: 20 inputs spread over the corpus are simulated again by the real
 * crm_simulate (pacemaker-cli-utils; its absence fails the test) and must print exactly the recorded summary.
 */
class CrmSimulateRecordingIT {
    @Test
    void recordings_matchLiveCrmSimulate_onASample() {
        CtsCorpus c = PacemakerCorpusTest.corpus();
        CrmSimulate crm = new CrmSimulate(ProcessRunner.local());
        System.out.println("crm_simulate: " + crm.version());
        List<String> names = c.names();
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < 20; i++) sample.add(names.get(i * names.size() / 20 + 7));
        for (String name : sample) {
            assertEquals(c.recording(name).orElseThrow(), crm.summary(c.input(name), c.timeArgs(name)),
                    name + ": crm_simulate no longer prints the recorded summary (re-record with bin/vigil simulate-compare --record)");
        }
    }
}
