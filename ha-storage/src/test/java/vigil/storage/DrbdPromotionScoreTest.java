package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Promotion scores from disk states, on recorded states where possible. */
class DrbdPromotionScoreTest {

    @Test
    void order_upToDateAboveConsistentAboveOutdated() {
        FencingPolicy none = FencingPolicy.DONT_CARE;
        assertTrue(PromotionScores.of(DiskState.UpToDate, none) > PromotionScores.of(DiskState.Consistent, none));
        assertTrue(PromotionScores.of(DiskState.Consistent, none) > PromotionScores.of(DiskState.Outdated, none));
        assertTrue(PromotionScores.promotable(PromotionScores.of(DiskState.Outdated, none)));
        for (DiskState s : new DiskState[] {DiskState.Inconsistent, DiskState.Diskless, DiskState.Failed, DiskState.Attaching,
                DiskState.Negotiating, DiskState.DUnknown, DiskState.UNKNOWN_TO_VIGIL}) {
            assertFalse(PromotionScores.promotable(PromotionScores.of(s, none)), s.name());
        }
    }

    @Test
    void withResourceFencing_outdatedNeverPromotable() {
        assertFalse(PromotionScores.promotable(PromotionScores.of(DiskState.Outdated, FencingPolicy.RESOURCE_ONLY)));
        assertFalse(PromotionScores.promotable(PromotionScores.of(DiskState.Outdated, FencingPolicy.RESOURCE_AND_STONITH)));
        assertEquals(PromotionScores.UP_TO_DATE, PromotionScores.of(DiskState.UpToDate, FencingPolicy.RESOURCE_ONLY));
    }

    @Test
    void recordedStates_scoredFromWorstVolumeQuorumAndFencingMark() {
        DrbdResourceStatus primary = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/connected-primary.json")).get(0);
        assertEquals(PromotionScores.UP_TO_DATE, PromotionScores.of(primary, FencingPolicy.RESOURCE_ONLY, false));
        assertFalse(PromotionScores.promotable(PromotionScores.of(primary, FencingPolicy.RESOURCE_ONLY, true)),
                "a copy the cluster marked outdated is not promotable even if it believes it is UpToDate");

        DrbdResourceStatus noQuorum = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/two-resources-secondary.json")).get(1);
        assertFalse(PromotionScores.promotable(PromotionScores.of(noQuorum, FencingPolicy.RESOURCE_ONLY, false)));

        DrbdResourceStatus syncTarget = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/adapted-synctarget.json")).get(0);
        assertFalse(PromotionScores.promotable(PromotionScores.of(syncTarget, FencingPolicy.DONT_CARE, false)));

        DrbdResourceStatus outdated = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/adapted-outdated-connecting.json")).get(0);
        assertFalse(PromotionScores.promotable(PromotionScores.of(outdated, FencingPolicy.RESOURCE_ONLY, false)));
        assertEquals(PromotionScores.OUTDATED, PromotionScores.of(outdated, FencingPolicy.DONT_CARE, false));

        DrbdResourceStatus diskless = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/adapted-diskless-client.json")).get(0);
        assertFalse(PromotionScores.promotable(PromotionScores.of(diskless, FencingPolicy.DONT_CARE, false)));
    }
}
