package vigil.storage;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ConfigException;
import vigil.api.spi.OperationResult;
import vigil.api.spi.OutdatedCopies;
import vigil.api.spi.ParameterSpec;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

/**
 * The promotable {@code drbd} resource type (what ocf:linbit:drbd does for Pacemaker). Started = DRBD up and
 * Secondary; promoted = Primary. {@code monitor} returns RUNNING_PROMOTED (8), SUCCESS or NOT_RUNNING with the
 * promotion score from the local disk state; {@code promote} refuses a disk that is not allowed to become Primary
 * under resource-level fencing, including a copy the cluster marked outdated ({@link OutdatedCopies}, the replicated
 * marks every node sees). Parameters: see {@link DrbdResourceConfig#fromParams}.
 */
public final class DrbdDriver implements ResourceDriver {
    public static final String TYPE = "drbd";
    private static final Logger LOG = LoggerFactory.getLogger(DrbdDriver.class);
    private static final Path DEFAULT_CONFIG_DIR = Path.of("/etc/drbd.d");

    private final ProcessRunner runner;
    private final OutdatedCopies fencing;
    private final java.util.concurrent.ConcurrentHashMap<String, FencingMonitor> monitors = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param fencing the cluster's resource-level fencing marks (the replicated state's, on a cluster node) */
    public DrbdDriver(ProcessRunner runner, OutdatedCopies fencing) {
        this.runner = runner;
        this.fencing = fencing;
    }

    @Override
    public OperationResult start(ResourceInstance in) {
        return guarded(in, "start", () -> {
            DrbdResourceConfig c = config(in);
            DrbdController ctl = controller(in);
            ctl.writeConfig(c);
            Optional<DrbdResourceStatus> s = ctl.status(c.name());
            if (s.isPresent()) ctl.adjust(c); else ctl.up(c);
            // the promotion score right away (as the OCF agent's crm_master in start): the scheduler needs it to promote
            Optional<DrbdResourceStatus> now = ctl.status(c.name());
            if (now.isEmpty()) return OperationResult.success();
            return OperationResult.success().withPromotionScore(PromotionScores.of(now.get(), c.fencing(), fencing.isOutdated(in.resource(), in.localNode())));
        });
    }

    @Override
    public OperationResult stop(ResourceInstance in) {
        return guarded(in, "stop", () -> {
            DrbdResourceConfig c = config(in);
            DrbdController ctl = controller(in);
            if (ctl.status(c.name()).isEmpty()) return OperationResult.success();
            ctl.writeConfig(c);
            ctl.down(c);
            return OperationResult.success();
        });
    }

    @Override
    public OperationResult monitor(ResourceInstance in) {
        return guarded(in, "monitor", () -> {
            DrbdResourceConfig c = config(in);
            Optional<DrbdResourceStatus> s = controller(in).status(c.name());
            if (s.isEmpty()) return OperationResult.notRunning();
            fencingMonitor(c, in.resource(), in.localNode()).observe(s.get());
            int score = PromotionScores.of(s.get(), c.fencing(), fencing.isOutdated(in.resource(), in.localNode()));
            OcfCode code = s.get().role() == DrbdRole.Primary ? OcfCode.RUNNING_PROMOTED : OcfCode.SUCCESS;
            String msg = s.get().role() + " disk " + s.get().worstDisk() + (s.get().hasQuorum() ? "" : " without quorum");
            for (SplitBrain.Finding f : SplitBrain.suspect(s.get())) {
                msg += "; " + f.peer() + ": " + f.detail() + ", resolve with: vigil drbd resolve --discard NODE --resource " + c.name();
            }
            return OperationResult.of(code, msg).withPromotionScore(score);
        });
    }

    @Override
    public OperationResult promote(ResourceInstance in) {
        return guarded(in, "promote", () -> {
            DrbdResourceConfig c = config(in);
            DrbdController ctl = controller(in);
            DrbdResourceStatus s = ctl.status(c.name()).orElse(null);
            if (s == null) return OperationResult.of(OcfCode.NOT_RUNNING, c.name() + " is not up on " + in.localNode() + "; start it before promoting");
            if (s.role() == DrbdRole.Primary) return OperationResult.success();
            boolean marked = fencing.isOutdated(in.resource(), in.localNode());
            int score = PromotionScores.of(s, c.fencing(), marked);
            if (!PromotionScores.promotable(score)) {
                String why = marked ? "the cluster marked this copy outdated when the Primary lost its link to it"
                        : !s.hasQuorum() ? "the device has no quorum" : "the local disk is " + s.worstDisk();
                LOG.warn("{}: refuse to promote on {}: {}", c.name(), in.localNode(), why);
                return OperationResult.failed(c.name() + ": refusing to promote on " + in.localNode() + ": " + why
                        + " (let it resync from an UpToDate peer first)");
            }
            if (!in.peerNode().isEmpty()) {
                // the scheduler's promote for a live migration (peer: the migration source, still Primary): two
                // Primaries only from here until the source's demote; the resource file keeps the steady state, so
                // a restart in between comes up with one Primary allowed
                LOG.info("{}: promote on {} in a dual-primary window for a live migration from {}",
                        c.name(), in.localNode(), in.peerNode());
                ctl.openDualPrimaryWindow(c, in.localNode());
                ctl.primary(c, false);
                ctl.writeConfig(c);
                return OperationResult.success();
            }
            ctl.primary(c, false);
            return OperationResult.success();
        });
    }

    /** Demotes, and ends a dual-primary window if one was open (a no-op for DRBD otherwise). */
    @Override
    public OperationResult demote(ResourceInstance in) {
        return guarded(in, "demote", () -> {
            DrbdResourceConfig c = config(in);
            DrbdController ctl = controller(in);
            DrbdResourceStatus s = ctl.status(c.name()).orElse(null);
            if (s == null) return OperationResult.of(OcfCode.NOT_RUNNING, c.name() + " is not up on " + in.localNode());
            if (s.role() != DrbdRole.Primary) return OperationResult.success();
            ctl.closeDualPrimaryWindow(c.withAllowTwoPrimaries(true), in.localNode(), true);
            return OperationResult.success();
        });
    }

    /**
     * Before a live migration of a VM on this disk, on the source and on the target: allow two Primaries
     * ({@link DrbdController#openDualPrimaryWindow}). Fails, changing nothing, unless every peer is Connected and
     * UpToDate.
     */
    public OperationResult openDualPrimaryWindow(ResourceInstance in) {
        return guarded(in, "open dual-primary window", () -> {
            controller(in).openDualPrimaryWindow(config(in), in.localNode());
            return OperationResult.success();
        });
    }

    /**
     * After the migration (or its failure), on the node that no longer runs the VM with {@code demoteLocal}, then on
     * the other: demote if asked, and disallow two Primaries again ({@link DrbdController#closeDualPrimaryWindow}).
     */
    public OperationResult closeDualPrimaryWindow(ResourceInstance in, boolean demoteLocal) {
        return guarded(in, "close dual-primary window", () -> {
            controller(in).closeDualPrimaryWindow(config(in).withAllowTwoPrimaries(true), in.localNode(), demoteLocal);
            return OperationResult.success();
        });
    }

    @Override
    public ResourceMetadata metadata() {
        List<ParameterSpec> p = new ArrayList<>();
        p.add(new ParameterSpec("hosts", true, false, "", "node[=hostname]:address,... of every replica, node-ids in this order"));
        p.add(new ParameterSpec("device", true, false, "", "the DRBD device, /dev/drbdN"));
        p.add(new ParameterSpec("disk", true, false, "", "backing block device (disk@NODE overrides it per node)"));
        p.add(new ParameterSpec("drbd-resource", false, false, "", "DRBD resource name (default: the primitive id)"));
        p.add(new ParameterSpec("meta-disk", false, false, "internal", "where DRBD keeps its metadata"));
        p.add(new ParameterSpec("port", false, false, "7789", "replication TCP port"));
        p.add(new ParameterSpec("fencing", false, false, "resource-only", "dont-care, resource-only or resource-and-stonith"));
        p.add(new ParameterSpec("quorum", false, false, "off", "off, majority, all or a number"));
        p.add(new ParameterSpec("on-no-quorum", false, false, "suspend-io", "suspend-io or io-error"));
        p.add(new ParameterSpec("after-sb-0pri", false, false, "disconnect", "split-brain policy with no Primary"));
        p.add(new ParameterSpec("after-sb-1pri", false, false, "disconnect", "split-brain policy with one Primary"));
        p.add(new ParameterSpec("after-sb-2pri", false, false, "disconnect", "split-brain policy with two Primaries"));
        p.add(new ParameterSpec("split-brain-recovery", false, false, "manual", "manual or discard-secondary"));
        p.add(new ParameterSpec("config-dir", false, false, DEFAULT_CONFIG_DIR.toString(), "where resource files are written"));
        Map<String, Duration> t = Map.of("start", Duration.ofSeconds(240), "stop", Duration.ofSeconds(100), "monitor", Duration.ofSeconds(20),
                "promote", Duration.ofSeconds(90), "demote", Duration.ofSeconds(90), "notify", Duration.ofSeconds(90));
        return new ResourceMetadata(TYPE, p, t);
    }

    /** One fencing monitor per resource and node, renewed when the resource's configuration changes. */
    private FencingMonitor fencingMonitor(DrbdResourceConfig c, String primitive, String node) {
        return monitors.compute(primitive + "@" + node, (k, m) -> m != null && m.config().equals(c) ? m : new FencingMonitor(c, primitive, node, fencing));
    }

    private DrbdResourceConfig config(ResourceInstance in) { return DrbdResourceConfig.fromParams(in.resource(), in.params()); }

    private DrbdController controller(ResourceInstance in) {
        return new DrbdController(runner, Path.of(in.param("config-dir", DEFAULT_CONFIG_DIR.toString())), in.timeout());
    }

    private interface Op {
        OperationResult run();
    }

    private static OperationResult guarded(ResourceInstance in, String action, Op op) {
        try {
            return op.run();
        } catch (ConfigException e) {
            return OperationResult.of(OcfCode.ERR_CONFIGURED, e.getMessage());
        } catch (DrbdException e) {
            LOG.warn("{}: {} on {} failed: {}", in.resource(), action, in.localNode(), e.getMessage());
            if (e.exitCode() == DrbdController.EXIT_NO_MODULE) return OperationResult.of(OcfCode.ERR_INSTALLED, e.getMessage());
            if (e.exitCode() == 127) return OperationResult.of(OcfCode.ERR_INSTALLED, e.getMessage());
            return OperationResult.failed(e.getMessage());
        } catch (IllegalArgumentException e) {
            return OperationResult.failed(in.resource() + ": " + action + ": " + e.getMessage());
        }
    }
}
