package vigil.kvm;

import java.time.Duration;
import java.util.Map;
import org.libvirt.Domain.MigrateFlags;

/** How a live migration is asked of libvirt: flags, data URI and time limit, from the parameters (pure, unit-tested). */
final class Migration {
    /** Node attribute naming the libvirt URI the peer's libvirtd is reached at (peer-to-peer: the source libvirtd dials it). */
    static final String LIBVIRT_URI_ATTRIBUTE = "libvirt-uri";
    /** Node attribute naming the migration data URI of that node (its replication/migration network address). */
    static final String MIGRATION_URI_ATTRIBUTE = "migration-uri";
    /** Left to the driver between aborting a migration and the executor's own timeout: ABORT_WAIT + PEER_CHECK + slack. */
    static final Duration ABORT_MARGIN = Duration.ofSeconds(10);
    /** How long an aborted migration job may take to end. A hung target can hold it until its connection drops. */
    static final Duration ABORT_WAIT = Duration.ofSeconds(5);
    /** How long the check after a migration waits for the target's libvirtd, which may hang or be gone. */
    static final Duration PEER_CHECK = Duration.ofSeconds(3);

    private Migration() {}

    /**
     * Live and peer-to-peer (the source libvirtd drives the target, so a client crash cannot leave the domain
     * half-migrated); the target keeps a persistent definition; an I/O error aborts rather than corrupts.
     */
    static int flags(KvmParams p) {
        int f = MigrateFlags.LIVE | MigrateFlags.PEER2PEER | MigrateFlags.PERSIST_DEST | MigrateFlags.ABORT_ON_ERROR;
        if (p.autoConverge()) f |= MigrateFlags.AUTO_CONVERGE;
        if (p.unsafe()) f |= MigrateFlags.UNSAFE;
        return f;
    }

    /** Node attribute with the host name libvirt URIs use for a node, when it differs from the node id. */
    static final String HOSTNAME_ATTRIBUTE = "hostname";

    /**
     * The target's libvirt URI: its {@code libvirt-uri} attribute, else the hypervisor URI for the target node when
     * that URI names the node ({@code {node}}), else (as ocf:heartbeat:VirtualDomain does) the
     * local hypervisor URI with the migration transport and the target's host name: {@code qemu:///system} to
     * {@code qemu+ssh://kvm2.example.net/system}.
     */
    static String targetUri(KvmParams p, String peerNode, Map<String, String> peerAttributes) {
        String own = peerAttributes.getOrDefault(LIBVIRT_URI_ATTRIBUTE, "").strip();
        if (!own.isEmpty()) return own;
        if (p.hypervisorPerNode()) return p.hypervisorFor(peerNode);
        String host = peerAttributes.getOrDefault(HOSTNAME_ATTRIBUTE, "").strip();
        if (host.isEmpty()) host = peerNode;
        String uri = p.hypervisor();
        int sep = uri.indexOf("://");
        String scheme = uri.substring(0, sep);
        int plus = scheme.indexOf('+');
        String driver = plus < 0 ? scheme : scheme.substring(0, plus);
        String rest = uri.substring(sep + 3);
        int slash = rest.indexOf('/');
        String path = slash < 0 ? "/" : rest.substring(slash);
        int query = path.indexOf('?');
        if (query >= 0) path = path.substring(0, query);
        return driver + "+" + p.migrationTransport() + "://" + host + path;
    }

    /** The target node's own migration-uri attribute wins over the resource parameter; empty lets libvirt choose. */
    static String dataUri(KvmParams p, Map<String, String> peerAttributes) {
        String own = peerAttributes.getOrDefault(MIGRATION_URI_ATTRIBUTE, "").strip();
        return own.isEmpty() ? p.migrationUri() : own;
    }

    /** After this long the migration is aborted: before the operation's own timeout, so the driver can report a clean state. */
    static Duration timeLimit(KvmParams p, Duration opTimeout) {
        Duration latest = opTimeout.minus(ABORT_MARGIN);
        if (latest.compareTo(Duration.ofSeconds(1)) < 0) latest = opTimeout.dividedBy(2);
        Duration wanted = p.migrateTimeout().orElse(latest);
        return wanted.compareTo(latest) > 0 ? latest : wanted;
    }
}
