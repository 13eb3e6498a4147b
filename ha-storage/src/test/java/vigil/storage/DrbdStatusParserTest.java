package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Parses recorded {@code drbdsetup status --json} output (src/test/resources/drbd/status-json, see SOURCES.md). */
class DrbdStatusParserTest {

    private static DrbdResourceStatus only(String file) {
        List<DrbdResourceStatus> all = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/" + file));
        assertEquals(1, all.size(), file);
        return all.get(0);
    }

    @Test
    void parse_connectedPrimary_realOutput_givesRolesDisksAndReplication() {
        DrbdResourceStatus s = only("connected-primary.json");
        assertEquals("1-single-0", s.name());
        assertEquals(1, s.nodeId());
        assertEquals(DrbdRole.Primary, s.role());
        assertFalse(s.suspended());
        assertEquals(List.of(new DrbdResourceStatus.Device(0, 2, DiskState.UpToDate, false, true)), s.devices());
        DrbdResourceStatus.Connection c = s.connection("SLE15-sp1-gm-drbd1145296-node2").orElseThrow();
        assertEquals(2, c.peerNodeId());
        assertEquals(ConnectionState.Connected, c.state());
        assertEquals(DrbdRole.Secondary, c.peerRole());
        DrbdResourceStatus.PeerDevice p = c.peerDevices().get(0);
        assertEquals(ReplicationState.Established, p.replication());
        assertEquals(DiskState.UpToDate, p.peerDisk());
        assertEquals(0, p.outOfSyncKiB());
        assertEquals(100.0, p.percentInSync(), 0.001);
        assertTrue(s.hasQuorum());
    }

    @Test
    void parse_twoResourcesOneWithoutQuorum_keepsBothAndQuorum() {
        List<DrbdResourceStatus> all = DrbdStatusParser.parse(RecordingDrbd.resource("status-json/two-resources-secondary.json"));
        assertEquals(List.of("1-single-0", "1-single-1"), all.stream().map(DrbdResourceStatus::name).toList());
        assertTrue(all.get(0).hasQuorum());
        assertFalse(all.get(1).hasQuorum());
        assertEquals(DrbdRole.Primary, all.get(1).connections().get(0).peerRole());
        assertEquals(DrbdRole.Secondary, all.get(1).role());
    }

    @Test
    void parse_syncSourceAndTarget_giveResyncStatesAndOutOfSync() {
        DrbdResourceStatus src = only("adapted-syncsource.json");
        DrbdResourceStatus.PeerDevice sp = src.connections().get(0).peerDevices().get(0);
        assertEquals(ReplicationState.SyncSource, sp.replication());
        assertTrue(sp.replication().isResync());
        assertEquals(DiskState.Inconsistent, sp.peerDisk());
        assertEquals(256000, src.outOfSyncKiB());

        DrbdResourceStatus tgt = only("adapted-synctarget.json");
        assertEquals(DiskState.Inconsistent, tgt.worstDisk());
        assertEquals(ReplicationState.SyncTarget, tgt.connections().get(0).peerDevices().get(0).replication());
        assertEquals(37.5, tgt.connections().get(0).peerDevices().get(0).percentInSync(), 0.001);
    }

    @Test
    void parse_standAloneOutdatedDiskless_giveThoseStates() {
        DrbdResourceStatus sb = only("adapted-standalone-split-brain.json");
        assertEquals(ConnectionState.StandAlone, sb.connections().get(0).state());
        assertEquals(DrbdRole.Unknown, sb.connections().get(0).peerRole());
        assertEquals(DiskState.DUnknown, sb.connections().get(0).peerDevices().get(0).peerDisk());

        DrbdResourceStatus out = only("adapted-outdated-connecting.json");
        assertEquals(DiskState.Outdated, out.worstDisk());
        assertEquals(ConnectionState.Connecting, out.connections().get(0).state());
        assertFalse(out.connections().get(0).connected());

        DrbdResourceStatus dl = only("adapted-diskless-client.json");
        assertEquals(DiskState.Diskless, dl.worstDisk());
        assertTrue(dl.devices().get(0).client());
    }

    @Test
    void parse_unknownStateName_mapsToUnknownInsteadOfFailing() {
        String json = RecordingDrbd.resource("status-json/connected-primary.json").replace("\"Established\"", "\"SomeFutureState\"");
        assertEquals(ReplicationState.UNKNOWN_TO_VIGIL, DrbdStatusParser.parse(json).get(0).connections().get(0).peerDevices().get(0).replication());
    }

    @Test
    void parse_notJson_failsNamingTheProblem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DrbdStatusParser.parse("r0 role:Primary"));
        assertTrue(e.getMessage().startsWith("drbdsetup status --json: invalid JSON"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DrbdStatusParser.parse("{\"name\": \"r0\"}"));
    }

    @Test
    void parse_emptyArray_givesNoResources() {
        assertEquals(List.of(), DrbdStatusParser.parse("[\n]\n"));
    }
}
