package vigil.kvm;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ConfigException;
import vigil.api.model.Secrets;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

/**
 * The {@code kvm} resource type: a libvirt domain, as ocf:heartbeat:VirtualDomain runs it. The domain XML comes
 * from a replicated cluster blob and is defined on the node before every start. Stop asks the guest to shut down
 * and destroys it after {@code shutdown-timeout}. Live migration is peer-to-peer to the target node's
 * {@code libvirt-uri} attribute and is checked afterwards on both nodes, so that a failed migration leaves the
 * domain running exactly once.
 */
public final class KvmDriver implements ResourceDriver {
    public static final String TYPE = "kvm";
    private static final Logger LOG = LoggerFactory.getLogger(KvmDriver.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration DESTROY_RESERVE = Duration.ofSeconds(5);
    private static final Duration AGENT_TIMEOUT = Duration.ofSeconds(5);

    private final InstantSource clock;

    public KvmDriver() { this(InstantSource.system()); }

    KvmDriver(InstantSource clock) { this.clock = clock; }

    /** What an operation acts on: parsed parameters, the domain's name, when configured its XML, and this node's libvirt URI. */
    private record Target(KvmParams params, String name, Optional<DomainXml> xml, String hypervisor) {}

    @Override
    public OperationResult start(ResourceInstance i) {
        return run(i, "start", () -> {
            Target t = resolve(i, true);
            Instant deadline = clock.instant().plus(i.timeout());
            try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
                Optional<Domain> existing = h.lookup(t.name());
                if (existing.isPresent() && Hypervisor.active(Hypervisor.state(existing.get()))) {
                    Domain d = existing.get();
                    if (Hypervisor.state(d) == DomainState.VIR_DOMAIN_PAUSED) {
                        call(() -> d.resume(), OcfCode.ERR_GENERIC, "cannot resume paused domain " + t.name());
                        log(i, "start: domain " + t.name() + " was paused, resumed");
                    } else {
                        log(i, "start: domain " + t.name() + " already running");
                    }
                    return OperationResult.success();
                }
                Domain d;
                if (t.xml().isPresent()) {
                    if (existing.isPresent()) replaceForeignDefinition(i, existing.get(), t.xml().get());
                    d = h.define(t.xml().get(), "blob " + t.params().configBlob());
                } else {
                    d = existing.orElseThrow(() -> new KvmFailure(OcfCode.ERR_CONFIGURED, "domain " + t.name() + " is not defined at "
                            + h.uri() + " on " + i.localNode() + " and no config-blob is set (set config-blob to the blob holding its XML)"));
                }
                Hypervisor.disableAutostart(d);
                call(() -> d.create(), OcfCode.ERR_GENERIC, "cannot start domain " + t.name() + " at " + h.uri());
                if (!waitFor(deadline, () -> isRunning(Hypervisor.state(d)))) {
                    throw new KvmFailure(OcfCode.ERR_GENERIC, "domain " + t.name() + " was started but is " + stateName(Hypervisor.state(d))
                            + " after " + i.timeout().toSeconds() + "s");
                }
                log(i, "start: domain " + t.name() + " running at " + h.uri());
                return OperationResult.success();
            }
        });
    }

    /** An inactive definition of the same name but another UUID (defined by hand, say) would make libvirt refuse the cluster's XML. */
    private static void replaceForeignDefinition(ResourceInstance i, Domain existing, DomainXml xml) {
        String have;
        try {
            have = existing.getUUIDString();
        } catch (LibvirtException e) {
            throw Hypervisor.failure(OcfCode.ERR_GENERIC, "cannot read the UUID of domain " + xml.name(), e);
        }
        if (have.equalsIgnoreCase(xml.effectiveUuid())) return;
        call(() -> existing.undefine(), OcfCode.ERR_CONFIGURED, "domain " + xml.name() + " is already defined with UUID " + have
                + " instead of " + xml.effectiveUuid() + " and cannot be undefined (remove its snapshots or managed save image)");
        log(i, "start: undefined stale definition of domain " + xml.name() + " (UUID " + have + ", the cluster's XML has " + xml.effectiveUuid() + ")");
    }

    @Override
    public OperationResult stop(ResourceInstance i) {
        return run(i, "stop", () -> {
            Target t = resolve(i, false);
            Instant start = clock.instant();
            Instant deadline = start.plus(i.timeout());
            try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
                Optional<Domain> found = h.lookup(t.name());
                if (found.isEmpty() || !Hypervisor.active(Hypervisor.state(found.get()))) {
                    log(i, "stop: domain " + t.name() + " is not running");
                    return OperationResult.success();
                }
                Domain d = found.get();
                Duration graceful = shutdownTimeout(t.params(), i.timeout());
                if (!graceful.isZero()) {
                    try {
                        d.shutdown();
                    } catch (LibvirtException e) {
                        // a guest that just stopped by itself or cannot be asked: destroy decides below
                        log(i, "stop: shutdown request for " + t.name() + " failed (" + Hypervisor.message(e) + "), destroying");
                    }
                    if (waitFor(start.plus(graceful), () -> !Hypervisor.active(Hypervisor.state(d)))) {
                        log(i, "stop: domain " + t.name() + " shut down gracefully");
                        return OperationResult.success();
                    }
                }
                call(() -> {
                    if (Hypervisor.active(Hypervisor.state(d))) d.destroy();
                }, OcfCode.ERR_GENERIC, "cannot destroy domain " + t.name());
                if (!waitFor(deadline, () -> !Hypervisor.active(Hypervisor.state(d)))) {
                    throw new KvmFailure(OcfCode.ERR_GENERIC, "domain " + t.name() + " still " + stateName(Hypervisor.state(d)) + " after destroy");
                }
                log(i, "stop: domain " + t.name() + " destroyed after " + graceful.toSeconds() + "s without a graceful shutdown");
                return OperationResult.success();
            }
        });
    }

    @Override
    public OperationResult monitor(ResourceInstance i) {
        return run(i, "monitor", () -> {
            Target t = resolve(i, false);
            try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
                Optional<Domain> found = h.lookup(t.name());
                if (found.isEmpty()) return OperationResult.notRunning();
                Domain d = found.get();
                DomainState s = Hypervisor.state(d);
                switch (s) {
                    case VIR_DOMAIN_SHUTOFF:
                        return OperationResult.notRunning();
                    case VIR_DOMAIN_CRASHED:
                        return OperationResult.failed("domain " + t.name() + " crashed on " + i.localNode());
                    case VIR_DOMAIN_NOSTATE:
                        return OperationResult.failed("domain " + t.name() + " has no state on " + i.localNode() + " (libvirt lost track of it)");
                    default:
                        break;
                }
                // running, blocked, paused (also during an incoming migration), shutting down, pm-suspended: active
                if (t.params().guestAgentPing() && s != DomainState.VIR_DOMAIN_PAUSED) {
                    try {
                        d.qemuAgentCommand("{\"execute\":\"guest-ping\"}", (int) AGENT_TIMEOUT.toSeconds(), 0);
                    } catch (LibvirtException e) {
                        return OperationResult.failed("domain " + t.name() + " runs but its guest agent did not answer a ping within "
                                + AGENT_TIMEOUT.toSeconds() + "s: " + Hypervisor.message(e)
                                + " (give the domain an org.qemu.guest_agent.0 channel and run qemu-guest-agent, or set guest-agent-ping=false)");
                    }
                }
                return OperationResult.success();
            }
        });
    }

    @Override
    public OperationResult migrateTo(ResourceInstance i) {
        return run(i, "migrate_to", () -> {
            Target t = resolve(i, false);
            String peer = i.peerNode();
            if (peer.isEmpty()) throw new KvmFailure(OcfCode.ERR_ARGS, "migrate_to of domain " + t.name() + " without a target node");
            String targetUri = Migration.targetUri(t.params(), peer, i.peerAttributes());
            String dataUri = Migration.dataUri(t.params(), i.peerAttributes());
            Duration limit = Migration.timeLimit(t.params(), i.timeout());
            try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
                Domain d = h.lookup(t.name()).orElseThrow(() -> new KvmFailure(OcfCode.ERR_GENERIC,
                        "cannot migrate domain " + t.name() + " to " + peer + ": it is not defined on " + i.localNode()));
                if (!isRunning(Hypervisor.state(d))) {
                    throw new KvmFailure(OcfCode.ERR_GENERIC, "cannot migrate domain " + t.name() + " to " + peer + ": it is "
                            + stateName(Hypervisor.state(d)) + " on " + i.localNode());
                }
                log(i, "migrate_to: domain " + t.name() + " live to " + peer + " (" + targetUri + ", data " + (dataUri.isEmpty() ? "default" : dataUri)
                        + ", limit " + limit.toSeconds() + "s" + (t.params().migrateBandwidthMiBs() > 0 ? ", " + t.params().migrateBandwidthMiBs() + " MiB/s" : "")
                        + (t.params().autoConverge() ? ", auto-converge" : "") + ")");
                Optional<String> error = migrate(i, t, d, targetUri, dataUri, limit);
                return checkAfterMigration(i, t, h, d, targetUri, error);
            }
        });
    }

    @Override
    public OperationResult migrateFrom(ResourceInstance i) {
        return run(i, "migrate_from", () -> {
            Target t = resolve(i, false);
            Instant deadline = clock.instant().plus(i.timeout());
            try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
                boolean running = waitFor(deadline, () -> h.lookup(t.name()).map(d -> isRunning(Hypervisor.state(d))).orElse(false));
                if (!running) {
                    String now = h.lookup(t.name()).map(d -> stateName(Hypervisor.state(d))).orElse("not defined");
                    throw new KvmFailure(OcfCode.ERR_GENERIC, "domain " + t.name() + " did not arrive from " + i.peerNode() + ": it is " + now
                            + " on " + i.localNode() + " after " + i.timeout().toSeconds() + "s");
                }
                Hypervisor.disableAutostart(h.lookup(t.name()).orElseThrow());
                log(i, "migrate_from: domain " + t.name() + " runs here after migrating from " + i.peerNode());
                return OperationResult.success();
            }
        });
    }

    @Override
    public ResourceMetadata metadata() {
        return new ResourceMetadata(TYPE, KvmParams.SPECS, Map.of("start", Duration.ofSeconds(90), "stop", Duration.ofSeconds(90),
                "monitor", Duration.ofSeconds(30), "migrate_to", Duration.ofSeconds(180), "migrate_from", Duration.ofSeconds(60),
                "meta-data", Duration.ofSeconds(5)));
    }

    /** Runs the migration on a helper thread so that it can be aborted after {@code limit}; returns libvirt's error, if any. */
    private Optional<String> migrate(ResourceInstance i, Target t, Domain d, String targetUri, String dataUri, Duration limit) {
        KvmParams p = t.params();
        CompletableFuture<Void> job = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                d.migrateToURI(targetUri, dataUri.isEmpty() ? null : dataUri, null, Migration.flags(p), null, p.migrateBandwidthMiBs());
                job.complete(null);
            } catch (LibvirtException | RuntimeException e) {
                job.completeExceptionally(e);
            }
        }, "kvm-migrate-" + t.name());
        worker.setDaemon(true);
        worker.start();
        try {
            job.get(limit.toNanos(), TimeUnit.NANOSECONDS);
            return Optional.empty();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return Optional.of(c instanceof LibvirtException ? Hypervisor.message((LibvirtException) c) : String.valueOf(c));
        } catch (TimeoutException e) {
            log(i, "migrate_to: domain " + t.name() + " still migrating after " + limit.toSeconds() + "s, aborting");
            return Optional.of("aborted after migrate-timeout " + limit.toSeconds() + "s: " + abortAndWait(i, t, job));
        } catch (InterruptedException e) {
            log(i, "migrate_to: interrupted, aborting the migration of domain " + t.name());
            String r = abortAndWait(i, t, job);
            Thread.currentThread().interrupt();
            return Optional.of("interrupted: " + r);
        }
    }

    private String abortAndWait(ResourceInstance i, Target t, CompletableFuture<Void> job) {
        try (Hypervisor h = Hypervisor.open(t.hypervisor())) {
            Optional<Domain> d = h.lookup(t.name());
            if (d.isPresent()) d.get().abortJob();
        } catch (LibvirtException | KvmFailure e) {
            log(i, "migrate_to: abort of the migration of " + t.name() + " failed: " + e.getMessage());
        }
        try {
            job.get(Migration.ABORT_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            return "the migration completed anyway";
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            return c instanceof LibvirtException ? Hypervisor.message((LibvirtException) c) : String.valueOf(c);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return "libvirt's migration job did not end within " + Migration.ABORT_WAIT.toSeconds()
                    + "s of the abort (a hung target holds it until its connection drops)";
        }
    }

    /** Runs {@code work} on a helper thread and gives up after {@code limit}: a hung peer libvirtd must not hang the operation. */
    private static <T> Optional<T> bounded(Duration limit, String name, Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                f.complete(work.get());
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        }, name);
        worker.setDaemon(true);
        worker.start();
        try {
            return Optional.ofNullable(f.get(limit.toNanos(), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException) throw (RuntimeException) e.getCause();
            throw new IllegalStateException(e.getCause());
        }
    }

    /**
     * Where does the domain run now? libvirt's answer is checked against both nodes, and a leftover copy is
     * removed, so the result means: SUCCESS = runs on the target only, ERR_GENERIC = runs on the source only (or
     * nowhere, said in the message).
     */
    private OperationResult checkAfterMigration(ResourceInstance i, Target t, Hypervisor local, Domain d, String targetUri,
                                                Optional<String> error) {
        String peer = i.peerNode();
        DomainState src = Hypervisor.state(d);
        Optional<DomainState> dst = stateAt(targetUri, t.name());
        String where = "source " + i.localNode() + " " + stateName(src) + ", target " + peer + " " + dst.map(KvmDriver::stateName).orElse("unreachable");
        if (error.isEmpty()) {
            if (Hypervisor.active(src)) {
                return OperationResult.failed("libvirt reported the migration of domain " + t.name() + " to " + peer + " done, but " + where);
            }
            if (dst.isPresent() && !Hypervisor.active(dst.get())) {
                return OperationResult.failed("domain " + t.name() + " runs nowhere after migrating to " + peer + " (" + where + ")");
            }
            log(i, "migrate_to: domain " + t.name() + " migrated to " + peer + " (" + where + ")");
            return OperationResult.success();
        }
        String why = "live migration of domain " + t.name() + " to " + peer + " failed: " + error.get();
        if (Hypervisor.active(src)) {
            if (src == DomainState.VIR_DOMAIN_PAUSED && dst.isPresent() && isRunning(dst.get())) {
                // the target finished and resumed the guest, only the confirmation was lost: the target copy is the live one
                call(() -> d.destroy(), OcfCode.ERR_GENERIC, why + "; the guest runs on " + peer + " but its paused source copy cannot be destroyed");
                log(i, "migrate_to: " + why + "; the guest already runs on " + peer + ", destroyed the paused source copy");
                return OperationResult.success();
            }
            if (dst.isPresent() && Hypervisor.active(dst.get())) {
                if (isRunning(dst.get()) && isRunning(src)) {
                    return OperationResult.failed(why + "; the domain RUNS ON BOTH nodes (" + where + ")");
                }
                destroyAt(i, targetUri, t.name());
            }
            if (src == DomainState.VIR_DOMAIN_PAUSED) {
                call(() -> d.resume(), OcfCode.ERR_GENERIC, why + "; and the source copy, left paused, cannot be resumed");
            }
            log(i, "migrate_to: " + why + "; domain keeps running on " + i.localNode());
            return OperationResult.failed(why + "; the domain keeps running on " + i.localNode());
        }
        if (dst.isPresent() && isRunning(dst.get())) {
            log(i, "migrate_to: libvirt reported an error (" + error.get() + ") but domain " + t.name() + " runs on " + peer + " only");
            return OperationResult.success();
        }
        return OperationResult.failed(why + "; the domain runs nowhere it can be seen (" + where + ")");
    }

    /** The domain's state at a peer's libvirt, or empty when that libvirt is unreachable or does not answer in time. */
    private static Optional<DomainState> stateAt(String uri, String name) {
        return bounded(Migration.PEER_CHECK, "kvm-peer-check-" + name, () -> {
            try (Hypervisor h = Hypervisor.open(uri)) {
                return h.lookup(name).map(Hypervisor::state).orElse(DomainState.VIR_DOMAIN_SHUTOFF);
            } catch (KvmFailure e) {
                return null;
            }
        });
    }

    private static void destroyAt(ResourceInstance i, String uri, String name) {
        Optional<Boolean> done = bounded(Migration.PEER_CHECK, "kvm-peer-destroy-" + name, () -> {
            try (Hypervisor h = Hypervisor.open(uri)) {
                Optional<Domain> d = h.lookup(name);
                if (d.isPresent() && Hypervisor.active(Hypervisor.state(d.get()))) d.get().destroy();
                return true;
            } catch (LibvirtException e) {
                throw new KvmFailure(OcfCode.ERR_GENERIC, "cannot destroy the unfinished incoming copy of domain " + name + " at " + uri + ": "
                        + Hypervisor.message(e), e);
            }
        });
        if (done.isEmpty()) {
            throw new KvmFailure(OcfCode.ERR_GENERIC, "the unfinished incoming copy of domain " + name + " at " + uri + " could not be destroyed: "
                    + "that libvirtd did not answer within " + Migration.PEER_CHECK.toSeconds() + "s");
        }
        log(i, "migrate_to: destroyed the unfinished incoming copy of domain " + name + " at " + uri);
    }

    private Target resolve(ResourceInstance i, boolean needXml) {
        KvmParams p = KvmParams.parse(i.resource(), i.params());
        Optional<DomainXml> xml = Optional.empty();
        if (!p.configBlob().isEmpty()) {
            String text = i.blobs().get(p.configBlob());
            if (text == null) {
                if (needXml || p.domain().isEmpty()) {
                    throw new ConfigException("resources." + i.resource() + ".params.config-blob", "blob \"" + p.configBlob() + "\" is not in the cluster state",
                            "store the domain XML as a cluster blob of that name, or fix the parameter");
                }
            } else {
                xml = Optional.of(DomainXml.parse("blob " + p.configBlob(), text));
            }
        }
        String name = p.domain().isEmpty() ? xml.map(DomainXml::name).orElseThrow() : p.domain();
        if (xml.isPresent() && !xml.get().name().equals(name)) {
            throw new ConfigException("resources." + i.resource() + ".params.domain", "is \"" + name + "\" but the XML in blob \"" + p.configBlob()
                    + "\" names \"" + xml.get().name() + "\"", "make them equal, or leave domain unset");
        }
        return new Target(p, name, xml, p.hypervisorFor(i.localNode()));
    }

    static Duration shutdownTimeout(KvmParams p, Duration stopTimeout) {
        Duration latest = stopTimeout.minus(DESTROY_RESERVE);
        if (latest.isNegative()) latest = Duration.ZERO;
        Duration wanted = p.shutdownTimeout().orElse(stopTimeout.multipliedBy(2).dividedBy(3));
        return wanted.compareTo(latest) > 0 ? latest : wanted;
    }

    private static boolean isRunning(DomainState s) {
        return s == DomainState.VIR_DOMAIN_RUNNING || s == DomainState.VIR_DOMAIN_BLOCKED;
    }

    static String stateName(DomainState s) {
        return s.name().replace("VIR_DOMAIN_", "").toLowerCase(java.util.Locale.ROOT);
    }

    private interface LibvirtCall {
        void run() throws LibvirtException;
    }

    private static void call(LibvirtCall c, OcfCode code, String what) {
        try {
            c.run();
        } catch (LibvirtException e) {
            throw Hypervisor.failure(code, what, e);
        }
    }

    /** Polls {@code condition} until it holds or {@code deadline} passes. */
    private boolean waitFor(Instant deadline, BooleanSupplier condition) {
        while (true) {
            if (condition.getAsBoolean()) return true;
            if (!clock.instant().isBefore(deadline)) return false;
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new KvmFailure(OcfCode.ERR_GENERIC, "interrupted while waiting");
            }
        }
    }

    private static OperationResult run(ResourceInstance i, String action, Supplier<OperationResult> body) {
        OperationResult r;
        try {
            r = body.get();
        } catch (ConfigException e) {
            r = OperationResult.of(OcfCode.ERR_CONFIGURED, e.getMessage());
        } catch (KvmFailure e) {
            r = e.result();
        } catch (LinkageError e) {
            r = OperationResult.of(OcfCode.ERR_INSTALLED, "the libvirt client library cannot be loaded (" + e + "); install libvirt0 on " + i.localNode());
        } catch (RuntimeException e) {
            r = OperationResult.failed(action + " failed unexpectedly: " + e);
        }
        if (!r.message().isEmpty()) r = OperationResult.of(r.code(), Secrets.scrub(r.message(), i.params()));
        if (!r.isSuccess() && r.code() != OcfCode.NOT_RUNNING) log(i, action + ": " + r.code() + ": " + r.message());
        return r;
    }

    private static void log(ResourceInstance i, String what) {
        LOG.info("{} on {}: {}", i.resource(), i.localNode(), Secrets.scrub(what, i.params()));
    }
}
