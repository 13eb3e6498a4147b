package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceInstance;
import vigil.api.status.OcfCode;

/** The promotable {@code drbd} driver's OCF results and command sequences, against the recording stand-in. */
class DrbdDriverTest {
    static final List<String> STATUS = List.of("drbdsetup", "status");

    @TempDir
    Path dir;

    private ResourceInstance instance(String node) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("hosts", "node1=" + DrbdControllerTest.NODE1 + ":10.0.0.1,node2=" + DrbdControllerTest.NODE2 + ":10.0.0.2");
        p.put("device", "/dev/drbd0");
        p.put("disk", "/dev/vg0/r0");
        p.put("config-dir", dir.toString());
        return new ResourceInstance("r0", "drbd", 0, p, Map.of(), node, Duration.ofSeconds(30), "", Map.of(), Map.of());
    }


    @Test
    void provider_registeredForServiceLoader_onClassPathAndModulePath() throws Exception {
        String services = new String(DrbdDriverTest.class.getResourceAsStream("/META-INF/services/vigil.api.spi.ResourceDriverProvider")
                .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(DrbdDriverProvider.class.getName(), services.strip());
        java.lang.module.ModuleDescriptor md = DrbdDriverProvider.class.getModule().getDescriptor();
        if (md != null) {
            assertTrue(md.provides().stream().anyMatch(p -> p.service().equals(ResourceDriverProvider.class.getName())
                    && p.providers().contains(DrbdDriverProvider.class.getName())), md.toString());
        }
        ResourceDriverProvider provider = new DrbdDriverProvider();
        assertTrue(provider.supports("drbd") && !provider.supports("kvm"));
        ResourceDriver d = provider.create("drbd");
        assertEquals("drbd", d.metadata().type());
        assertTrue(d.metadata().supports("promote") && d.metadata().supports("demote"));
    }

    @Test
    void monitor_primarySecondaryDown_give8_0_7_withScores() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS,
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"),
                RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"),
                RecordingDrbd.noSuchResource("r0"));
        DrbdDriver d = new DrbdDriver(drbd, new MarksInMemory());
        OperationResult promoted = d.monitor(instance("node1"));
        assertEquals(OcfCode.RUNNING_PROMOTED, promoted.code());
        assertEquals(8, promoted.code().code());
        assertEquals(PromotionScores.UP_TO_DATE, promoted.promotionScore().getAsInt());
        OperationResult secondary = d.monitor(instance("node1"));
        assertEquals(OcfCode.SUCCESS, secondary.code());
        assertEquals(PromotionScores.UP_TO_DATE, secondary.promotionScore().getAsInt());
        assertEquals(OcfCode.NOT_RUNNING, d.monitor(instance("node1")).code());
    }

    @Test
    void monitor_noKernelModule_isNotInstalled_withRecordedStderr() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.fail(20, RecordingDrbd.resource("recorded/status-no-module.stderr")));
        OperationResult r = new DrbdDriver(drbd, new MarksInMemory()).monitor(instance("node1"));
        assertEquals(OcfCode.ERR_INSTALLED, r.code());
        assertTrue(r.message().contains("kernel module is not loaded"), r.message());
    }

    @Test
    void start_notUp_writesFileAndUps_startedTwice_adjusts() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.noSuchResource("r0"),
                RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"));
        DrbdDriver d = new DrbdDriver(drbd, new MarksInMemory());
        OperationResult first = d.start(instance("node1"));
        assertEquals(OcfCode.SUCCESS, first.code());
        assertEquals(PromotionScores.UP_TO_DATE, first.promotionScore().getAsInt(), "start reports the promotion score, so the cluster can promote");
        assertTrue(Files.exists(dir.resolve("r0.res")));
        assertEquals(OcfCode.SUCCESS, d.start(instance("node1")).code());
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdadm up r0",
                "drbdsetup status r0 --json --verbose --statistics", "drbdsetup status r0 --json --verbose --statistics",
                "drbdadm adjust r0", "drbdsetup status r0 --json --verbose --statistics"), drbd.commands());
    }

    @Test
    void stop_upAndDown() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"),
                RecordingDrbd.noSuchResource("r0"));
        DrbdDriver d = new DrbdDriver(drbd, new MarksInMemory());
        assertEquals(OcfCode.SUCCESS, d.stop(instance("node1")).code());
        assertEquals(OcfCode.SUCCESS, d.stop(instance("node1")).code(), "stopping a stopped resource succeeds");
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdadm down r0",
                "drbdsetup status r0 --json --verbose --statistics"), drbd.commands());
    }

    @Test
    void promote_upToDateSecondary_runsPrimary_demote_runsSecondary() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"),
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"));
        DrbdDriver d = new DrbdDriver(drbd, new MarksInMemory());
        assertEquals(OcfCode.SUCCESS, d.promote(instance("node1")).code());
        assertEquals(OcfCode.SUCCESS, d.demote(instance("node1")).code());
        // demote also ends a dual-primary window, should one be open: allow-two-primaries=no towards the peer
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdadm primary r0",
                "drbdsetup status r0 --json --verbose --statistics", "drbdsetup status r0 --json --verbose --statistics",
                "drbdadm secondary r0", "drbdsetup status r0 --json --verbose --statistics",
                "drbdsetup net-options r0 1 --allow-two-primaries=no"), drbd.commands());
    }

    @Test
    void promoteWithPeer_opensDualPrimaryWindowFirst_fileKeepsOnePrimary() throws Exception {
        // the scheduler's promote on the migration target (peer: the source, which stays Primary until its demote)
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"));
        DrbdDriver d = new DrbdDriver(drbd, new MarksInMemory());
        ResourceInstance plain = instance("node2");
        ResourceInstance window = new ResourceInstance("r0", "drbd", 0, plain.params(), Map.of(), "node2", plain.timeout(), "node1", Map.of(), Map.of());
        assertEquals(OcfCode.SUCCESS, d.promote(window).code());
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdsetup status r0 --json --verbose --statistics",
                "drbdsetup net-options r0 0 --allow-two-primaries=yes", "drbdadm primary r0"), drbd.commands());
        assertTrue(java.nio.file.Files.readString(dir.resolve("r0.res")).contains("allow-two-primaries no;"),
                "the resource file describes the steady state (one Primary)");
    }

    @Test
    void promote_outdatedDisk_refusedWithoutRunningPrimary() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("adapted-outdated-connecting.json", "1-single-0", "r0"));
        OperationResult r = new DrbdDriver(drbd, new MarksInMemory()).promote(instance("node2"));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("refusing to promote on node2: the local disk is Outdated"), r.message());
        assertTrue(drbd.commands().stream().noneMatch(c -> c.contains("primary")));
    }

    @Test
    void promote_copyMarkedOutdatedByCluster_refusedEvenIfItBelievesUpToDate() {
        MarksInMemory marks = new MarksInMemory();
        marks.mark("r0", "node2", "link lost");
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"));
        DrbdDriver d = new DrbdDriver(drbd, marks);
        OperationResult r = d.promote(instance("node2"));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("marked this copy outdated"), r.message());
        assertEquals(PromotionScores.NOT_PROMOTABLE, d.monitor(instance("node2")).promotionScore().getAsInt());
    }

    @Test
    void monitor_primaryLosesLink_outdatesPeer_andReportsSuspectedSplitBrain() {
        MarksInMemory marks = new MarksInMemory();
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"),
                RecordingDrbd.statusJson("adapted-standalone-split-brain.json", "1-single-0", "r0"));
        DrbdDriver d = new DrbdDriver(drbd, marks);
        d.monitor(instance("node1"));
        assertTrue(!marks.isOutdated("r0", "node2"));
        OperationResult r = d.monitor(instance("node1"));
        assertEquals(OcfCode.RUNNING_PROMOTED, r.code());
        assertTrue(marks.isOutdated("r0", "node2"), "the Primary outdates the peer it lost");
        assertTrue(r.message().contains("connection StandAlone") && r.message().contains("vigil drbd resolve --discard NODE --resource r0"), r.message());
    }

    @Test
    void liveMigrationWindow_sourceAndTarget_fullSequence() {
        // source node1 (Primary), target node2; the stand-in answers each node's status in the order the engine asks
        RecordingDrbd source = new RecordingDrbd().on(STATUS,
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"),      // open: peer UpToDate
                RecordingDrbd.statusJson("adapted-dual-primary.json", "1-single-0", "r0"),   // close: both Primary
                RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0")); // demoted
        RecordingDrbd target = new RecordingDrbd().on(STATUS,
                RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0"),  // open: peer (source) Primary UpToDate
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"));      // close: only the target is Primary
        DrbdDriver src = new DrbdDriver(source, new MarksInMemory());
        DrbdDriver tgt = new DrbdDriver(target, new MarksInMemory());
        assertEquals(OcfCode.SUCCESS, src.openDualPrimaryWindow(instance("node1")).code());
        assertEquals(OcfCode.SUCCESS, tgt.openDualPrimaryWindow(instance("node2")).code());
        assertEquals(OcfCode.SUCCESS, src.closeDualPrimaryWindow(instance("node1"), true).code());
        assertEquals(OcfCode.SUCCESS, tgt.closeDualPrimaryWindow(instance("node2"), false).code());
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdsetup net-options r0 1 --allow-two-primaries=yes",
                "drbdsetup status r0 --json --verbose --statistics", "drbdadm secondary r0",
                "drbdsetup status r0 --json --verbose --statistics", "drbdsetup net-options r0 1 --allow-two-primaries=no"), source.commands());
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdsetup net-options r0 0 --allow-two-primaries=yes",
                "drbdsetup status r0 --json --verbose --statistics", "drbdsetup status r0 --json --verbose --statistics",
                "drbdsetup net-options r0 0 --allow-two-primaries=no"), target.commands());
    }

    @Test
    void liveMigrationWindow_peerNotUpToDate_refused() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("adapted-standalone-split-brain.json", "1-single-0", "r0"));
        OperationResult r = new DrbdDriver(drbd, new MarksInMemory()).openDualPrimaryWindow(instance("node1"));
        assertEquals(OcfCode.ERR_GENERIC, r.code());
        assertTrue(r.message().contains("cannot allow two primaries for a live migration: peer node2 is StandAlone"), r.message());
    }

    @Test
    void badParameters_areErrConfigured() {
        Map<String, String> p = new LinkedHashMap<>(instance("node1").params());
        p.remove("hosts");
        ResourceInstance in = new ResourceInstance("r0", "drbd", 0, p, Map.of(), "node1", Duration.ofSeconds(5), "", Map.of(), Map.of());
        RecordingDrbd drbd = new RecordingDrbd();
        OperationResult r = new DrbdDriver(drbd, new MarksInMemory()).start(in);
        assertEquals(OcfCode.ERR_CONFIGURED, r.code());
        assertTrue(r.message().contains("resources.r0.hosts"), r.message());
        assertTrue(drbd.commands().isEmpty());
    }
}
