package vigil.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Meta;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.engine.executor.Ledger;

/**
 * The activity checker on synthetic records: each rule with a planted violation that it must report, and the
 * innocent history beside it that it must let pass. Times are milliseconds from an arbitrary origin.
 */
class ActivityCheckerTest {
    static final Map<String, ActivityChecker.Limits> LIMITS = Map.of(
            "ticker", ActivityChecker.Limits.SINGLE,
            "dummy", ActivityChecker.Limits.SINGLE,
            "beacon", new ActivityChecker.Limits(2, 1, false, 0, false),
            "keeper", new ActivityChecker.Limits(2, 1, true, 1, false));
    static final Set<String> EVIDENCED = Set.of("ticker", "beacon", "keeper");

    private final List<Ledger.Entry> ledger = new ArrayList<>();
    private final List<Evidence.Line> evidence = new ArrayList<>();
    private final List<ActivityChecker.Death> deaths = new ArrayList<>();

    static long ns(long ms) { return 1_800_000_000_000_000_000L + ms * 1_000_000L; }

    void op(long ms, String node, String key, String action, long tookMs, int rc) {
        ledger.add(new Ledger.Entry(ns(ms), node, key, action, "begin", -1));
        ledger.add(new Ledger.Entry(ns(ms + tookMs), node, key, action, "end", rc));
    }

    void line(long ms, String node, long pid, String resource, String activation, Evidence.Event e) {
        evidence.add(new Evidence.Line(ns(ms), node, pid, resource, activation, e));
    }

    /** A service activation as its evidence shows it: start line, a tick every 100 ms, stop line (unless toMs < 0: none). */
    void ran(String node, long pid, String resource, String activation, long fromMs, long lastTickMs, long stopMs) {
        line(fromMs, node, pid, resource, activation, Evidence.Event.START);
        for (long t = fromMs; t <= lastTickMs; t += 100) line(t, node, pid, resource, activation, Evidence.Event.TICK);
        if (stopMs >= 0) line(stopMs, node, pid, resource, activation, Evidence.Event.STOP);
    }

    void died(String node, long pid, long ms, String cause) { deaths.add(new ActivityChecker.Death(node, pid, ns(ms), cause)); }

    List<ActivityChecker.Violation> check() { return check(LIMITS); }

    List<ActivityChecker.Violation> check(Map<String, ActivityChecker.Limits> limits) {
        return ActivityChecker.check(ledger, Evidence.activations(evidence), deaths, limits, EVIDENCED);
    }

    static List<String> rules(List<ActivityChecker.Violation> v) { return v.stream().map(ActivityChecker.Violation::rule).toList(); }

    /** ticker on n1, the harness kills n1 at 2 s, ticker starts on n2 at 3 s. */
    void failoverAfterKill() {
        op(0, "n1", "ticker", "start", 5, 0);
        ran("n1", 11, "ticker", "a1", 2, 1902, -1);
        died("n1", 11, 2000, "killed by the harness");
        op(3000, "n2", "ticker", "start", 5, 0);
        ran("n2", 22, "ticker", "a2", 3002, 4002, -1);
    }

    @Test
    void check_failoverAfterAHarnessKill_passes() {
        failoverAfterKill();
        assertEquals(List.of(), check());
    }

    @Test
    void check_startElsewhereWhileTheFirstNodeRuns_isActiveTwiceByBothRecords() {
        op(0, "n1", "ticker", "start", 5, 0);
        ran("n1", 11, "ticker", "a1", 2, 4002, -1);
        // no death of n1: whatever the cluster recorded (a fence that lied), the harness never saw n1 die
        op(3000, "n2", "ticker", "start", 5, 0);
        ran("n2", 22, "ticker", "a2", 3002, 4002, -1);
        List<ActivityChecker.Violation> v = check();
        assertEquals(List.of("active-twice", "active-twice"), rules(v), v.toString());
        assertTrue(v.get(0).detail().contains("per the ledger") && v.get(1).detail().contains("per the evidence"), v.toString());
    }

    @Test
    void check_aPausedNodeKeepsWhatItRan_evenWithoutTicks() {
        // n1 ticks until it is paused at 1 s and never again; ticker starts on n2 at 3 s; the harness kills n1 at 5 s
        op(0, "n1", "ticker", "start", 5, 0);
        ran("n1", 11, "ticker", "a1", 2, 1002, -1);
        op(3000, "n2", "ticker", "start", 5, 0);
        ran("n2", 22, "ticker", "a2", 3002, 6002, -1);
        died("n1", 11, 5000, "killed by the harness");
        assertEquals(List.of("active-twice", "active-twice"), rules(check()));
    }

    @Test
    void check_aNodeCutOffTicksOnAfterItsLedgerSaysStopped_isUnrecordedAndActiveTwice() {
        // the ledger on n1 says the stop ended at 2 s, but the service ticked on to 3.5 s while n2 had started it at 3 s
        op(0, "n1", "ticker", "start", 5, 0);
        op(1995, "n1", "ticker", "stop", 5, 0);
        ran("n1", 11, "ticker", "a1", 2, 3502, 3550);
        op(3000, "n2", "ticker", "start", 5, 0);
        ran("n2", 22, "ticker", "a2", 3002, 4002, -1);
        List<String> rules = rules(check());
        assertTrue(rules.contains("unrecorded-activity") && rules.contains("active-twice"), rules.toString());
        assertTrue(!rules.contains("missing-evidence"), rules.toString());
    }

    @Test
    void check_stopEndingExactlyWhenTheNextStartBegins_doesNotOverlap() {
        op(0, "n1", "dummy", "start", 5, 0);
        op(1000, "n1", "dummy", "stop", 100, 0);
        op(1100, "n2", "dummy", "start", 5, 0);
        assertEquals(List.of(), check());
    }

    @Test
    void check_aFailedStopKeepsTheResourceActive() {
        op(0, "n1", "dummy", "start", 5, 0);
        op(1000, "n1", "dummy", "stop", 100, 1);
        op(2000, "n2", "dummy", "start", 5, 0);
        assertEquals(List.of("active-twice"), rules(check()));
    }

    @Test
    void check_aDeathClosesOnlyWhatRanOnThatNode() {
        op(0, "n1", "dummy", "start", 5, 0);
        died("n2", 22, 1000, "process exited");
        op(2000, "n2", "dummy", "start", 5, 0);
        assertEquals(List.of("active-twice"), rules(check()));
    }

    @Test
    void check_evidenceWithoutLedger_isUnrecordedActivity() {
        failoverAfterKill();
        ran("n3", 33, "beacon", "a3", 100, 900, 950);
        List<ActivityChecker.Violation> v = check();
        assertEquals(List.of("unrecorded-activity"), rules(v));
        assertTrue(v.get(0).detail().contains("the ledger has none there"), v.toString());
    }

    @Test
    void check_aSuccessfulStartWithoutEvidence_isMissingEvidence() {
        failoverAfterKill();
        op(5000, "n3", "beacon:0", "start", 5, 0);
        assertEquals(List.of("missing-evidence"), rules(check()));
    }

    @Test
    void check_aTickAfterTheStopLine_isActivityAfterStop() {
        op(0, "n1", "ticker", "start", 5, 0);
        op(1000, "n1", "ticker", "stop", 100, 0);
        ran("n1", 11, "ticker", "a1", 2, 902, 1050);
        line(1080, "n1", 11, "ticker", "a1", Evidence.Event.TICK);
        assertEquals(List.of("activity-after-stop"), rules(check()));
    }

    @Test
    void check_aTickAfterTheProcessDied_isActivityAfterDeath() {
        failoverAfterKill();
        line(2500, "n1", 11, "ticker", "a1", Evidence.Event.TICK);
        assertTrue(rules(check()).contains("activity-after-death"), check().toString());
    }

    @Test
    void check_aReusedPidDoesNotEndTheNextIncarnationsActivation() {
        failoverAfterKill();
        // n1 restarts with the pid its killed incarnation had, and runs beacon from 6 s on
        op(6000, "n1", "beacon:0", "start", 5, 0);
        ran("n1", 11, "beacon", "a9", 6002, 7002, -1);
        assertEquals(List.of(), check());
    }

    @Test
    void check_cloneInstancesWithinCloneMax_pass() {
        op(0, "n1", "beacon:0", "start", 5, 0);
        ran("n1", 11, "beacon", "b1", 2, 902, -1);
        op(0, "n2", "beacon:1", "start", 5, 0);
        ran("n2", 22, "beacon", "b2", 2, 902, -1);
        died("n2", 22, 1000, "killed by the harness");
        op(1500, "n3", "beacon:1", "start", 5, 0);
        ran("n3", 33, "beacon", "b3", 1502, 2002, -1);
        assertEquals(List.of(), check());
    }

    @Test
    void check_aThirdCloneInstanceBeforeTheLostOnesNodeDied_isCloneMax() {
        op(0, "n1", "beacon:0", "start", 5, 0);
        ran("n1", 11, "beacon", "b1", 2, 902, -1);
        op(0, "n2", "beacon:1", "start", 5, 0);
        ran("n2", 22, "beacon", "b2", 2, 902, -1);
        op(1500, "n3", "beacon:1", "start", 5, 0);
        ran("n3", 33, "beacon", "b3", 1502, 2002, -1);
        died("n2", 22, 2500, "killed by the harness");
        assertEquals(List.of("clone-max", "clone-max"), rules(check()));
    }

    @Test
    void check_twoInstancesOnOneNode_isCloneNodeMax() {
        op(0, "n1", "beacon:0", "start", 5, 0);
        op(500, "n1", "beacon:1", "start", 5, 0);
        assertEquals(List.of("clone-node-max"), rules(ActivityChecker.check(ledger, List.of(), deaths, LIMITS, Set.of())));
    }

    /** keeper promoted on n1; promoted on n2 at {@code promoteMs}; n1 demoted at 3 s. */
    void doublePromotion(long promoteMs) {
        op(0, "n1", "keeper:0", "start", 5, 0);
        op(100, "n1", "keeper:0", "promote", 5, 0);
        ran("n1", 11, "keeper", "k1", 2, 4002, -1);
        line(102, "n1", 11, "keeper", "k1", Evidence.Event.PROMOTE);
        op(0, "n2", "keeper:1", "start", 5, 0);
        op(promoteMs, "n2", "keeper:1", "promote", 5, 0);
        ran("n2", 22, "keeper", "k2", 2, 4002, -1);
        line(promoteMs + 2, "n2", 22, "keeper", "k2", Evidence.Event.PROMOTE);
        op(3000, "n1", "keeper:0", "demote", 5, 0);
        line(3002, "n1", 11, "keeper", "k1", Evidence.Event.DEMOTE);
    }

    @Test
    void check_promotionAfterTheDemotion_passes() {
        doublePromotion(3100);
        assertEquals(List.of(), check());
    }

    @Test
    void check_twoPromotedAtOnce_isPromotedMax() {
        doublePromotion(2000);
        List<ActivityChecker.Violation> v = check();
        assertEquals(List.of("promoted-max", "promoted-max"), rules(v), v.toString());
    }

    @Test
    void check_twoPromotedInsideADeclaredDualPrimaryWindow_passesOnlyForADriverThatDeclaresIt() {
        doublePromotion(2000);
        // a live migration from n1 opens the window at 1.9 s; the demotion on n1 at 3 s closes it
        op(1900, "n1", "vm", "migrate_to", 500, 0);
        op(2400, "n2", "vm", "migrate_from", 100, 0);
        Map<String, ActivityChecker.Limits> dual = new java.util.HashMap<>(LIMITS);
        dual.put("keeper", new ActivityChecker.Limits(2, 1, true, 1, true));
        dual.put("vm", ActivityChecker.Limits.SINGLE);
        assertEquals(List.of(), check(dual));
        Map<String, ActivityChecker.Limits> single = new java.util.HashMap<>(LIMITS);
        single.put("vm", ActivityChecker.Limits.SINGLE);
        assertEquals(List.of("promoted-max", "promoted-max"), rules(check(single)));
    }

    @Test
    void check_promotedOnTheSurvivorOnlyAfterThePromotedNodeDied_passes() {
        op(0, "n1", "keeper:0", "start", 5, 0);
        op(100, "n1", "keeper:0", "promote", 5, 0);
        ran("n1", 11, "keeper", "k1", 2, 1902, -1);
        line(102, "n1", 11, "keeper", "k1", Evidence.Event.PROMOTE);
        died("n1", 11, 2000, "process exited");
        op(0, "n2", "keeper:1", "start", 5, 0);
        op(2500, "n2", "keeper:1", "promote", 5, 0);
        ran("n2", 22, "keeper", "k2", 2, 3002, -1);
        line(2502, "n2", 22, "keeper", "k2", Evidence.Event.PROMOTE);
        assertEquals(List.of(), check());
    }

    @Test
    void check_evidenceOfAPromotionTheLedgerDoesNotShow_isUnrecordedActivity() {
        op(0, "n1", "keeper:0", "start", 5, 0);
        ran("n1", 11, "keeper", "k1", 2, 1902, -1);
        line(500, "n1", 11, "keeper", "k1", Evidence.Event.PROMOTE);
        List<ActivityChecker.Violation> v = check();
        assertEquals(List.of("unrecorded-activity"), rules(v));
        assertTrue(v.get(0).detail().contains("promoted"), v.toString());
    }

    @Test
    void limits_fromTheConfig() {
        ClusterConfig config = ClusterConfig.builder()
                .node(Node.member("n1", "127.0.0.1:7000")).node(Node.member("n2", "127.0.0.2:7000")).node(Node.member("n3", "127.0.0.3:7000"))
                .resource(Primitive.builder("ticker", "java:ticker").build())
                .resource(new Clone("beacon-clone", Primitive.builder("beacon", "java:beacon").build(), Meta.EMPTY, false))
                .resource(new Clone("keeper-clone", Primitive.builder("keeper", "java:keeper").monitor(Duration.ofSeconds(1), Duration.ofSeconds(5)).build(),
                        Meta.of(Map.of(Meta.CLONE_MAX, "2", Meta.PROMOTED_MAX, "1")), true))
                .build();
        Map<String, ActivityChecker.Limits> l = ActivityChecker.limits(config, p -> p.id().equals("keeper"));
        assertEquals(ActivityChecker.Limits.SINGLE, l.get("ticker"));
        assertEquals(new ActivityChecker.Limits(3, 1, false, 0, false), l.get("beacon"));
        assertEquals(new ActivityChecker.Limits(2, 1, true, 1, true), l.get("keeper"));
    }
}
