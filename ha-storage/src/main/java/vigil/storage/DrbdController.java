package vigil.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.PrivateFiles;

/**
 * Drives DRBD 9 on one node: writes the resource file, runs drbdadm / drbdsetup through a {@link ProcessRunner},
 * reads the state back. Every method is one short, logged command sequence; failures throw {@link DrbdException}
 * with the command, exit code and stderr.
 */
public final class DrbdController {
    private static final Logger LOG = LoggerFactory.getLogger(DrbdController.class);
    /** drbdsetup's exit code for "No such resource" / "not configured". */
    static final int EXIT_NO_SUCH_RESOURCE = 10;
    /** drbdsetup's exit code when the kernel module is not loaded. */
    static final int EXIT_NO_MODULE = 20;

    private final ProcessRunner runner;
    private final Path configDir;
    private final Duration timeout;

    /**
     * @param configDir where resource files go ({@code /etc/drbd.d} in production); drbdadm is always called with
     *                  {@code -c DIR/NAME.res} so it reads exactly the file Vigil wrote
     */
    public DrbdController(ProcessRunner runner, Path configDir, Duration timeout) {
        this.runner = runner;
        this.configDir = configDir;
        this.timeout = timeout;
    }

    public Path configFile(String resource) { return configDir.resolve(DrbdAdm.checkName(resource) + ".res"); }

    /** Writes the resource file atomically; returns whether its content changed. */
    public boolean writeConfig(DrbdResourceConfig config) {
        String text = DrbdResourceFile.render(config);
        Path file = configFile(config.name());
        try {
            if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(text)) return false;
            Files.createDirectories(configDir);
            // owner-only from creation: a resource file may hold the DRBD peers' shared secret
            PrivateFiles.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(config.name() + ": cannot write resource file " + file + ": " + e.getMessage(), e);
        }
        LOG.info("{}: wrote resource file {}", config.name(), file);
        return true;
    }

    public void createMetadata(DrbdResourceConfig c) { adm(c, "create-md", DrbdAdm.createMd(c.name()), "check that the backing disk exists and is not in use"); }

    /** Brings the resource up; if the backing disk has no DRBD metadata yet, creates it first. */
    public void up(DrbdResourceConfig c) {
        ProcessRunner.ProcessResult r = runAdm(DrbdAdm.up(c.name()), c);
        if (r.ok()) { LOG.info("{}: up", c.name()); return; }
        if (r.stderr().contains("No valid meta data found") || r.stderr().contains("no valid meta data")) {
            LOG.info("{}: no DRBD metadata on the backing disk, creating it", c.name());
            createMetadata(c);
            adm(c, "up", DrbdAdm.up(c.name()), "");
            return;
        }
        throw failure(c.name(), "up", DrbdAdm.withConfig(configFile(c.name()), DrbdAdm.up(c.name())), r, hintFor(r));
    }

    public void adjust(DrbdResourceConfig c) { adm(c, "adjust", DrbdAdm.adjust(c.name()), ""); }

    public void down(DrbdResourceConfig c) { adm(c, "down", DrbdAdm.down(c.name()), "stop whatever holds the device open (VM, mount) first"); }

    public void primary(DrbdResourceConfig c, boolean force) {
        adm(c, force ? "primary --force" : "primary", DrbdAdm.primary(c.name(), force),
                "a peer may still be Primary, or the local disk is not UpToDate");
    }

    public void secondary(DrbdResourceConfig c) { adm(c, "secondary", DrbdAdm.secondary(c.name()), "stop whatever holds the device open (VM, mount) first"); }

    public void connect(DrbdResourceConfig c, boolean discardMyData) {
        adm(c, discardMyData ? "connect --discard-my-data" : "connect", DrbdAdm.connect(c.name(), discardMyData), "");
    }

    public void disconnect(DrbdResourceConfig c) { adm(c, "disconnect", DrbdAdm.disconnect(c.name()), ""); }

    /** The resource's state, or empty when it is not up on this node. */
    public Optional<DrbdResourceStatus> status(String resource) {
        List<String> argv = DrbdSetup.statusJson(resource);
        ProcessRunner.ProcessResult r = runner.run(argv, timeout);
        if (r.exitCode() == EXIT_NO_SUCH_RESOURCE) return Optional.empty();
        if (!r.ok()) throw failure(resource, "status", argv, r, hintFor(r));
        List<DrbdResourceStatus> all = DrbdStatusParser.parse(r.stdout());
        return all.stream().filter(s -> s.name().equals(resource)).findFirst();
    }

    /** The current state as {@code events2 --now --statistics} prints it, folded (includes split-brain helper calls if any). */
    public DrbdStateTracker events(String resource) {
        List<String> argv = DrbdSetup.events2Now(resource);
        ProcessRunner.ProcessResult r = runner.run(argv, timeout);
        if (!r.ok()) throw failure(resource, "events2", argv, r, hintFor(r));
        return DrbdStateTracker.of(r.stdout());
    }

    /**
     * Opens the dual-primary window for a live migration of a VM on this disk: the resource file and the kernel both
     * allow two Primaries (file rewritten, then {@code drbdsetup net-options --allow-two-primaries=yes} for each
     * peer, which does not disturb the connection). Refuses unless every peer is connected and UpToDate: a migration
     * target with stale data must never become Primary.
     */
    public DrbdResourceConfig openDualPrimaryWindow(DrbdResourceConfig c, String localNode) {
        DrbdResourceStatus s = status(c.name()).orElseThrow(() -> new DrbdException(c.name() + ": cannot allow two primaries: resource is not up on " + localNode));
        for (DrbdResourceConfig.Host peer : c.peersOf(localNode)) {
            DrbdResourceStatus.Connection conn = s.connection(peer.hostname()).orElse(null);
            if (conn == null || !conn.connected() || conn.peerDevices().stream().anyMatch(p -> p.peerDisk() != DiskState.UpToDate)) {
                throw new DrbdException(c.name() + ": cannot allow two primaries for a live migration: peer " + peer.node() + " is "
                        + (conn == null ? "unknown" : conn.state() + "/" + conn.peerDevices().stream().map(p -> p.peerDisk().name()).toList())
                        + " (wait until it is Connected and UpToDate, or stop and start the VM instead of migrating)");
            }
        }
        DrbdResourceConfig open = c.withAllowTwoPrimaries(true);
        writeConfig(open);
        for (DrbdResourceConfig.Host peer : c.peersOf(localNode)) {
            setup(c.name(), "net-options --allow-two-primaries=yes", DrbdSetup.allowTwoPrimaries(c.name(), peer.nodeId(), true));
        }
        LOG.info("{}: dual-primary window open on {} for a live migration", c.name(), localNode);
        return open;
    }

    /**
     * Closes the dual-primary window after the migration: demotes this node if it is still Primary and
     * {@code demoteLocal} (the migration source), then disallows two Primaries again in the kernel and the file.
     * Refuses while two nodes are still Primary, since DRBD would refuse too.
     */
    public DrbdResourceConfig closeDualPrimaryWindow(DrbdResourceConfig c, String localNode, boolean demoteLocal) {
        Optional<DrbdResourceStatus> s = status(c.name());
        if (demoteLocal && s.isPresent() && s.get().role() == DrbdRole.Primary) secondary(c);
        s = status(c.name());
        if (s.isPresent()) {
            long primaries = (s.get().role() == DrbdRole.Primary ? 1 : 0)
                    + s.get().connections().stream().filter(x -> x.peerRole() == DrbdRole.Primary).count();
            if (primaries > 1) {
                throw new DrbdException(c.name() + ": cannot close the dual-primary window: " + primaries
                        + " nodes are Primary (demote the migration source first)");
            }
        }
        DrbdResourceConfig closed = c.withAllowTwoPrimaries(false);
        if (s.isPresent()) {
            for (DrbdResourceConfig.Host peer : c.peersOf(localNode)) {
                setup(c.name(), "net-options --allow-two-primaries=no", DrbdSetup.allowTwoPrimaries(c.name(), peer.nodeId(), false));
            }
        }
        writeConfig(closed);
        LOG.info("{}: dual-primary window closed on {}", c.name(), localNode);
        return closed;
    }

    /** Split-brain victim side: discard this node's changes since the split and resync from the peer. */
    public void discardLocalData(DrbdResourceConfig c) {
        LOG.warn("{}: split-brain victim: discarding local changes and reconnecting", c.name());
        secondary(c);
        connect(c, true);
    }

    /** Split-brain survivor side: reconnect (only needed when this side is StandAlone too). */
    public void reconnectSurvivor(DrbdResourceConfig c) {
        LOG.info("{}: split-brain survivor: reconnecting", c.name());
        connect(c, false);
    }

    /**
     * {@link SplitBrainPolicy.Recovery#DISCARD_SECONDARY} on this node, given the roles the cluster knows (a StandAlone
     * node cannot see its peer's role): the Secondary discards its changes, the Primary reconnects. Returns the victim,
     * or empty when the policy is manual or both / neither are Primary (an operator decides).
     */
    public Optional<String> recoverSplitBrain(DrbdResourceConfig c, String localNode, DrbdRole localRole, String peerNode, DrbdRole peerRole) {
        if (c.splitBrain().recovery() != SplitBrainPolicy.Recovery.DISCARD_SECONDARY) return Optional.empty();
        Optional<String> victim = SplitBrain.victimDiscardingSecondary(localNode, localRole, peerNode, peerRole);
        if (victim.isEmpty()) {
            LOG.warn("{}: split brain between {} ({}) and {} ({}) left to an operator: no single Primary",
                    c.name(), localNode, localRole, peerNode, peerRole);
            return victim;
        }
        if (victim.get().equals(localNode)) discardLocalData(c); else reconnectSurvivor(c);
        return victim;
    }

    private void adm(DrbdResourceConfig c, String action, List<String> argv, String hint) {
        ProcessRunner.ProcessResult r = runAdm(argv, c);
        if (!r.ok()) throw failure(c.name(), action, DrbdAdm.withConfig(configFile(c.name()), argv), r, hint.isEmpty() ? hintFor(r) : hint);
        LOG.info("{}: {}", c.name(), action);
    }

    private void setup(String res, String action, List<String> argv) {
        ProcessRunner.ProcessResult r = runner.run(argv, timeout);
        if (!r.ok()) throw failure(res, action, argv, r, hintFor(r));
    }

    private ProcessRunner.ProcessResult runAdm(List<String> argv, DrbdResourceConfig c) {
        return runner.run(DrbdAdm.withConfig(configFile(c.name()), argv), timeout);
    }

    private static DrbdException failure(String res, String action, List<String> argv, ProcessRunner.ProcessResult r, String hint) {
        String stderr = r.timedOut() ? "timed out after " + r.took() : r.stderr();
        return new DrbdException(res, action, argv, r.exitCode(), stderr, hint);
    }

    private static String hintFor(ProcessRunner.ProcessResult r) {
        if (r.exitCode() == EXIT_NO_MODULE) return "the DRBD kernel module is not loaded: modprobe drbd";
        if (r.exitCode() == 127) return "install drbd-utils";
        return "";
    }
}
