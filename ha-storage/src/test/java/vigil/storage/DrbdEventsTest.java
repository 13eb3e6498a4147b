package vigil.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Folds recorded {@code drbdsetup events2} output (src/test/resources/drbd/events2, see SOURCES.md) into typed state. */
class DrbdEventsTest {

    private static DrbdStateTracker track(String file) { return DrbdStateTracker.of(RecordingDrbd.resource("events2/" + file)); }

    private static DrbdResourceStatus res(String file, String name) { return track(file).resource(name).orElseThrow(); }

    @Test
    void parseLine_peerDevice_givesVerbObjectAndFieldsInOrder() {
        DrbdEvent e = DrbdEvent.parse("change peer-device name:r0 peer-node-id:1 conn-name:b volume:0 replication:SyncSource done:37.50").orElseThrow();
        assertEquals("change", e.verb());
        assertEquals("peer-device", e.object());
        assertEquals(List.of("name", "peer-node-id", "conn-name", "volume", "replication", "done"), List.copyOf(e.fields().keySet()));
        assertEquals("r0", e.resource());
    }

    @Test
    void parseLine_pathAddressWithColons_splitsAtFirstColonOnly() {
        DrbdEvent e = DrbdEvent.parse("create path name:r peer-node-id:1 conn-name:p local:ipv4:1.2.3.4:7789 peer:ipv4:5.6.7.8:7790 established:no").orElseThrow();
        assertEquals("ipv4:1.2.3.4:7789", e.field("local"));
    }

    @Test
    void parseLine_garbage_failsNamingTheLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DrbdEvent.parse("r0 role:Primary"));
        assertTrue(e.getMessage().contains("r0 role:Primary"));
        assertTrue(DrbdEvent.parse("   ").isEmpty());
    }

    @Test
    void track_becomePrimary_endsPrimaryUpToDateEstablished() {
        DrbdStateTracker t = track("become-primary-connected.events2");
        assertTrue(t.initialStateComplete());
        DrbdResourceStatus s = t.resource("some-resource").orElseThrow();
        assertEquals(DrbdRole.Primary, s.role());
        assertEquals(DiskState.UpToDate, s.worstDisk());
        DrbdResourceStatus.Connection c = s.connection("some-peer").orElseThrow();
        assertEquals(ConnectionState.Connected, c.state());
        assertEquals(1, c.peerNodeId());
        assertEquals(ReplicationState.Established, c.peerDevices().get(0).replication());
        assertEquals(DiskState.UpToDate, c.peerDevices().get(0).peerDisk());
        assertEquals(0, c.peerDevices().get(0).outOfSyncKiB());
    }

    @Test
    void track_syncSource_givesResyncAndOutOfSync() {
        DrbdResourceStatus s = res("syncsource.events2", "some-resource");
        DrbdResourceStatus.PeerDevice p = s.connections().get(0).peerDevices().get(0);
        assertEquals(ReplicationState.SyncSource, p.replication());
        assertEquals(DiskState.Inconsistent, p.peerDisk());
        assertEquals(2500, p.outOfSyncKiB());
        assertEquals(37.5, p.percentInSync(), 0.001);
        assertEquals(DiskState.UpToDate, s.worstDisk());
    }

    @Test
    void track_syncTarget_localInconsistentPeerPrimary() {
        DrbdResourceStatus s = res("adapted-synctarget.events2", "some-resource");
        assertEquals(DiskState.Inconsistent, s.worstDisk());
        assertEquals(DrbdRole.Primary, s.connections().get(0).peerRole());
        assertEquals(ReplicationState.SyncTarget, s.connections().get(0).peerDevices().get(0).replication());
    }

    @Test
    void track_inconsistentLocal_withUpToDatePeer() {
        DrbdResourceStatus s = res("inconsistent-local.events2", "some-resource");
        assertEquals(DiskState.Inconsistent, s.worstDisk());
        assertEquals(DiskState.UpToDate, s.connections().get(0).peerDevices().get(0).peerDisk());
    }

    @Test
    void track_quorumLost_deviceWithoutQuorum() {
        DrbdResourceStatus s = res("quorum-lost.events2", "some-resource");
        assertFalse(s.hasQuorum());
        assertEquals(DiskState.UpToDate, s.worstDisk());
        assertTrue(s.connections().isEmpty());
    }

    @Test
    void track_standAloneDiskless_withHelperLines_isNotASplitBrain() {
        DrbdStateTracker t = track("standalone-diskless-helper.events2");
        DrbdResourceStatus s = t.resource("some-resource").orElseThrow();
        assertEquals(DiskState.Diskless, s.worstDisk());
        assertEquals(ConnectionState.StandAlone, s.connections().get(0).state());
        assertEquals(DiskState.DUnknown, s.connections().get(0).peerDevices().get(0).peerDisk());
        assertTrue(t.splitBrains().isEmpty(), "before-resync-target is not a split-brain helper");
    }

    @Test
    void track_outdatedConnecting_andDisklessClient() {
        DrbdResourceStatus o = res("adapted-outdated-connecting.events2", "some-resource");
        assertEquals(DiskState.Outdated, o.worstDisk());
        assertEquals(ConnectionState.Connecting, o.connections().get(0).state());
        DrbdResourceStatus d = res("adapted-diskless-client.events2", "some-resource");
        assertTrue(d.devices().get(0).client());
        assertEquals(DiskState.Diskless, d.worstDisk());
    }

    @Test
    void track_timestampsAndOldFormatWithoutPeerNodeId_parsed() {
        DrbdResourceStatus s = res("drbdtop-timestamps.events2", "test0");
        assertEquals(DrbdRole.Primary, s.role());
        DrbdResourceStatus.Connection c = s.connection("peer").orElseThrow();
        assertEquals(ReplicationState.SyncSource, c.peerDevices().get(0).replication());
        assertEquals(205655500L, c.peerDevices().get(0).outOfSyncKiB());
    }

    @Test
    void track_threeNodes_twoConnectionsOnePrimaryPeer() {
        DrbdResourceStatus s = res("centreon-three-nodes.events2", "drbd1");
        assertEquals(DrbdRole.Secondary, s.role());
        assertEquals(2, s.connections().size());
        assertEquals(DrbdRole.Primary, s.connection("central-2004").orElseThrow().peerRole());
        assertTrue(s.connections().stream().allMatch(DrbdResourceStatus.Connection::connected));
        assertEquals(0, s.connection("central-2004").orElseThrow().peerDevices().get(0).outOfSyncKiB());
    }

    @Test
    void track_destroyResource_removesIt() {
        DrbdStateTracker t = track("become-primary-connected.events2");
        t.accept("destroy resource name:some-resource");
        assertTrue(t.resources().isEmpty());
    }
}
