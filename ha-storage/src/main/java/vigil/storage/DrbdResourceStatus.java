package vigil.storage;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one DRBD resource on this node, as {@code drbdsetup status --json} or {@code drbdsetup events2 --now}
 * report it: local role, its volumes (devices) and one entry per peer connection.
 */
public record DrbdResourceStatus(String name, int nodeId, DrbdRole role, boolean suspended, List<Device> devices,
                                 List<Connection> connections) {
    public DrbdResourceStatus {
        Objects.requireNonNull(name, "name");
        role = role == null ? DrbdRole.Unknown : role;
        devices = List.copyOf(devices);
        connections = List.copyOf(connections);
    }

    /** One local volume. {@code quorum} is what the kernel reports (true when quorum is not configured). */
    public record Device(int volume, int minor, DiskState disk, boolean client, boolean quorum) {
        public Device {
            disk = disk == null ? DiskState.DUnknown : disk;
        }
    }

    /** One peer connection; {@code name} is the peer's host name as in the resource file ({@code conn-name}). */
    public record Connection(int peerNodeId, String name, ConnectionState state, DrbdRole peerRole, List<PeerDevice> peerDevices) {
        public Connection {
            Objects.requireNonNull(name, "name");
            state = state == null ? ConnectionState.UNKNOWN_TO_VIGIL : state;
            peerRole = peerRole == null ? DrbdRole.Unknown : peerRole;
            peerDevices = List.copyOf(peerDevices);
        }

        public boolean connected() { return state == ConnectionState.Connected; }
    }

    /**
     * One volume as seen through a connection. {@code outOfSyncKiB} is -1 when the output had no statistics;
     * {@code percentInSync} is status --json's {@code percent-in-sync}, or events2's resync {@code done} while
     * resyncing, -1 when neither was reported.
     */
    public record PeerDevice(int volume, ReplicationState replication, DiskState peerDisk, boolean peerClient, long outOfSyncKiB,
                             double percentInSync) {
        public PeerDevice {
            replication = replication == null ? ReplicationState.Off : replication;
            peerDisk = peerDisk == null ? DiskState.DUnknown : peerDisk;
        }
    }

    public Optional<Connection> connection(String peer) {
        return connections.stream().filter(c -> c.name().equals(peer)).findFirst();
    }

    /** The worst local disk state over all volumes (a resource is as good as its worst volume). */
    public DiskState worstDisk() {
        DiskState worst = null;
        for (Device d : devices) if (worst == null || rank(d.disk()) < rank(worst)) worst = d.disk();
        return worst == null ? DiskState.Diskless : worst;
    }

    public boolean hasQuorum() { return devices.stream().allMatch(Device::quorum); }

    /** Total out-of-sync KiB over all peers and volumes (counting only reported values). */
    public long outOfSyncKiB() {
        long sum = 0;
        for (Connection c : connections) for (PeerDevice p : c.peerDevices()) if (p.outOfSyncKiB() > 0) sum += p.outOfSyncKiB();
        return sum;
    }

    static int rank(DiskState s) {
        switch (s) {
            case UpToDate: return 5;
            case Consistent: return 4;
            case Outdated: return 3;
            case Inconsistent: return 2;
            case Negotiating: case Attaching: case DUnknown: return 1;
            default: return 0;
        }
    }
}
