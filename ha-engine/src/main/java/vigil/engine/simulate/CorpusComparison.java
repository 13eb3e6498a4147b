package vigil.engine.simulate;

import java.util.List;
import vigil.api.status.ClusterState;
import vigil.engine.cib.CibException;
import vigil.engine.cib.CibImporter;
import vigil.engine.scheduler.Scheduler;
import vigil.engine.scheduler.TransitionSummary;

/** Vigil's transition summary for one corpus input, compared strictly with crm_simulate's ({@link SummaryComparison}). */
public final class CorpusComparison {
    private CorpusComparison() {}

    public enum Kind { AGREE, DISAGREE, UNSUPPORTED }

    /**
     * @param diff   for DISAGREE: the normalised line diff ("- " crm_simulate only, "+ " Vigil only), or the failure
     * @param detail for UNSUPPORTED: the element and why; for a failure of Vigil: the error
     */
    public record Verdict(String name, Kind kind, List<String> diff, String detail) {}

    /** Imports and plans {@code name} at the corpus' instant for it and compares with {@code crmLines}. */
    public static Verdict compare(CtsCorpus corpus, String name, List<String> crmLines) {
        ClusterState state;
        try {
            state = CibImporter.read(corpus.input(name), corpus.effectiveTime(name));
        } catch (CibException e) {
            if (e.unsupported()) return new Verdict(name, Kind.UNSUPPORTED, List.of(), e.getMessage());
            return new Verdict(name, Kind.DISAGREE, List.of("! Vigil cannot import it: " + e.getMessage()), e.getMessage());
        }
        List<String> vigil;
        try {
            vigil = TransitionSummary.lines(state, Scheduler.plan(state));
        } catch (RuntimeException e) {
            return new Verdict(name, Kind.DISAGREE, List.of("! Vigil's scheduler failed: " + e), e.toString());
        }
        var anonymous = SummaryComparison.anonymousInstances(state.config());
        List<String> diff = SummaryComparison.diff(SummaryComparison.normalize(crmLines, anonymous), SummaryComparison.normalize(vigil, anonymous));
        return new Verdict(name, diff.isEmpty() ? Kind.AGREE : Kind.DISAGREE, diff, "");
    }
}
