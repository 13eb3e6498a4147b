package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Controller command sequences against {@link RecordingDrbd}, a recording stand-in for drbdadm / drbdsetup that
 * replays recorded real outputs: the DRBD kernel module cannot load on the build machines.
 */
class DrbdControllerTest {
    static final String NODE1 = "SLE15-sp1-gm-drbd1145296-node1";
    static final String NODE2 = "SLE15-sp1-gm-drbd1145296-node2";
    static final List<String> STATUS = List.of("drbdsetup", "status");

    @TempDir
    Path dir;

    static DrbdResourceConfig config() {
        return DrbdResourceConfig.fromParams("r0", Map.of("hosts", "node1=" + NODE1 + ":10.0.0.1,node2=" + NODE2 + ":10.0.0.2",
                "device", "/dev/drbd0", "disk", "/dev/vg0/r0"));
    }

    private DrbdController controller(RecordingDrbd drbd) { return new DrbdController(drbd, dir, Duration.ofSeconds(30)); }

    @Test
    void up_freshDisk_createsMetadataThenUp() {
        RecordingDrbd drbd = new RecordingDrbd()
                .on(List.of("drbdadm", "up"), RecordingDrbd.fail(1, "No valid meta data found\nCommand 'drbdmeta 0 v09 /dev/vg0/r0 internal apply-al' terminated with exit code 255\n"),
                        RecordingDrbd.ok(""));
        DrbdController c = controller(drbd);
        c.writeConfig(config());
        c.up(config());
        assertEquals(List.of("drbdadm up r0", "drbdadm create-md --force r0", "drbdadm up r0"), drbd.commands());
        assertEquals(List.of("drbdadm", "-c", dir.resolve("r0.res").toString(), "up", "r0"), drbd.calls().get(0));
    }

    @Test
    void up_otherFailure_throwsWithCommandExitCodeAndStderr() {
        String stderr = RecordingDrbd.resource("recorded/status-no-module.stderr");
        RecordingDrbd drbd = new RecordingDrbd().on(List.of("drbdadm", "up"), RecordingDrbd.fail(20, stderr));
        DrbdException e = assertThrows(DrbdException.class, () -> controller(drbd).up(config()));
        assertTrue(e.getMessage().contains("r0: up failed: `drbdadm -c ") && e.getMessage().contains("exited 20")
                && e.getMessage().contains("Failed to modprobe drbd") && e.getMessage().contains("modprobe drbd"), e.getMessage());
        assertEquals(List.of("drbdadm up r0"), drbd.commands(), "no create-md unless the metadata is missing");
    }

    @Test
    void status_notUp_isEmpty_andUpIsParsed() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.noSuchResource("r0"),
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"));
        DrbdController c = controller(drbd);
        assertTrue(c.status("r0").isEmpty());
        assertEquals(DrbdRole.Primary, c.status("r0").orElseThrow().role());
        assertEquals(List.of("drbdsetup status r0 --json --verbose --statistics", "drbdsetup status r0 --json --verbose --statistics"), drbd.commands());
    }

    @Test
    void events_splitBrainHelper_reported() {
        RecordingDrbd drbd = new RecordingDrbd().on(List.of("drbdsetup", "events2"),
                RecordingDrbd.ok(RecordingDrbd.resource("events2/adapted-split-brain.events2")));
        DrbdStateTracker t = controller(drbd).events("some-resource");
        assertEquals(1, t.splitBrains().size());
        assertEquals(List.of("drbdsetup events2 --now --statistics some-resource"), drbd.commands());
    }

    @Test
    void dualPrimaryWindow_openAllowsTwoPrimaries_closeDemotesSourceAndDisallows() throws IOException {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS,
                RecordingDrbd.statusJson("connected-primary.json", "1-single-0", "r0"),   // open: peer connected and UpToDate
                RecordingDrbd.statusJson("adapted-dual-primary.json", "1-single-0", "r0"),              // close: target promoted, source still Primary
                RecordingDrbd.statusJson("two-resources-secondary.json", "1-single-0", "r0")); // after demote: only the target is Primary
        DrbdController c = controller(drbd);
        DrbdResourceConfig open = c.openDualPrimaryWindow(config(), "node1");
        assertTrue(open.allowTwoPrimaries());
        assertTrue(Files.readString(dir.resolve("r0.res")).contains("allow-two-primaries yes;"));

        DrbdResourceConfig closed = c.closeDualPrimaryWindow(open, "node1", true);
        assertTrue(!closed.allowTwoPrimaries());
        assertTrue(Files.readString(dir.resolve("r0.res")).contains("allow-two-primaries no;"));
        assertEquals(List.of(
                "drbdsetup status r0 --json --verbose --statistics",
                "drbdsetup net-options r0 1 --allow-two-primaries=yes",
                "drbdsetup status r0 --json --verbose --statistics",
                "drbdadm secondary r0",
                "drbdsetup status r0 --json --verbose --statistics",
                "drbdsetup net-options r0 1 --allow-two-primaries=no"), drbd.commands());
    }

    @Test
    void dualPrimaryWindow_peerResyncing_refusedWithoutChangingAnything() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("adapted-syncsource.json", "1-single-0", "r0"));
        DrbdException e = assertThrows(DrbdException.class, () -> controller(drbd).openDualPrimaryWindow(config(), "node1"));
        assertTrue(e.getMessage().contains("peer node2 is Connected/[Inconsistent]"), e.getMessage());
        assertEquals(1, drbd.commands().size());
        assertTrue(Files.notExists(dir.resolve("r0.res")));
    }

    @Test
    void dualPrimaryWindow_closeWhileTwoPrimariesAndNoDemote_refused() {
        RecordingDrbd drbd = new RecordingDrbd().on(STATUS, RecordingDrbd.statusJson("adapted-dual-primary.json", "1-single-0", "r0"));
        DrbdException e = assertThrows(DrbdException.class, () -> controller(drbd).closeDualPrimaryWindow(config().withAllowTwoPrimaries(true), "node1", false));
        assertTrue(e.getMessage().contains("2 nodes are Primary"), e.getMessage());
        assertTrue(drbd.commands().stream().noneMatch(x -> x.contains("net-options")));
    }

    @Test
    void splitBrainSides_victimDiscardsSurvivorConnects() {
        RecordingDrbd drbd = new RecordingDrbd();
        DrbdController c = controller(drbd);
        c.discardLocalData(config());
        c.reconnectSurvivor(config());
        assertEquals(List.of("drbdadm secondary r0", "drbdadm connect --discard-my-data r0", "drbdadm connect r0"), drbd.commands());
    }

    @Test
    void writeConfig_sameContent_reportsUnchanged() {
        DrbdController c = controller(new RecordingDrbd());
        assertTrue(c.writeConfig(config()));
        assertTrue(!c.writeConfig(config()));
    }
}
