package vigil.engine.controller;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.NoQuorumPolicy;
import vigil.api.model.Node;
import vigil.api.model.Primitive;
import vigil.api.model.Resource;
import vigil.api.status.ClusterState;
import vigil.api.status.OcfCode;
import vigil.engine.executor.ActionRequest;
import vigil.engine.executor.ActionResult;
import vigil.engine.executor.Executor;
import vigil.engine.executor.ResourceAction;
import vigil.engine.executor.ResultListener;

/**
 * The node agent's view of this node's {@link Executor}: turns term-stamped action requests into executor requests
 * (with the primitive's config, clone meta, migration peer and blobs from the replicated state) and reports recurring
 * monitor changes. Pass it to {@link Executor.Builder#listener} and then {@link #attach} the executor.
 */
public final class ExecutorOperations implements LocalOperations, ResultListener {
    private final Supplier<ClusterState> state;
    private final boolean runsResources;
    private final Map<String, Primitive> lastKnown = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile Executor executor;
    private volatile Consumer<Outcome> monitorListener = o -> { };
    /** Every resource configured when this node last probed them all has a state here known from that probe. */
    private volatile boolean probedAll;

    /** @param runsResources false on a witness: it probes nothing and runs nothing */
    public ExecutorOperations(Supplier<ClusterState> state, boolean runsResources) {
        this.state = state;
        this.runsResources = runsResources;
    }

    public void attach(Executor e) { this.executor = e; }

    @Override
    public CompletableFuture<Outcome> run(String resource, String action, Duration interval, String peer, Duration timeout, long term) {
        ClusterState s = state.get();
        ResourceAction ra;
        try {
            ra = ResourceAction.parse(action);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(new Outcome(resource, action, interval, OcfCode.ERR_UNIMPLEMENTED, e.getMessage(), null, peer, null));
        }
        Optional<Primitive> p = primitive(s.config(), resource);
        if (p.isEmpty()) {
            return CompletableFuture.completedFuture(new Outcome(resource, action, interval, OcfCode.ERR_CONFIGURED,
                    resource + " is not configured and was never seen here", null, peer, null));
        }
        ActionRequest req = request(s, p.get(), ra, term).withInterval(interval).withTimeout(timeout);
        if (!peer.isEmpty()) req = req.withPeer(peer, s.config().node(peer).map(Node::attributes).orElse(Map.of()));
        return executor.submit(req).handle((r, err) -> err == null ? outcome(r, peer)
                : new Outcome(resource, action, interval, OcfCode.EXEC_ERROR, rootMessage(err), null, peer, null));
    }

    @Override
    public CompletableFuture<List<Outcome>> probeAll(ClusterState s) {
        if (!runsResources) return CompletableFuture.completedFuture(List.of());
        List<CompletableFuture<Outcome>> all = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean unknown = new java.util.concurrent.atomic.AtomicBoolean();
        long term = executor.newestTerm();
        s.config().primitives().forEach(p -> {
            lastKnown.put(p.id(), p);
            ActionRequest req = request(s, p, ResourceAction.MONITOR, term);
            all.add(executor.submit(req).handle((r, err) -> {
                if (err == null) return outcome(r, "");
                unknown.set(true);
                return new Outcome(p.id(), "monitor", Duration.ZERO, OcfCode.EXEC_ERROR, rootMessage(err), null, "", null);
            }));
        });
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            // a probe that did not run left its resource's state here unknown
            if (!unknown.get()) probedAll = true;
            return all.stream().map(CompletableFuture::join).toList();
        });
    }

    @Override
    public CompletableFuture<List<Outcome>> quorumLost(NoQuorumPolicy policy) {
        return executor.quorumLost(policy).thenApply(rs -> rs.stream().map(r -> outcome(r, "")).toList());
    }

    @Override
    public void quorumRegained() { executor.quorumRegained(); }

    @Override
    public boolean runsNothing() {
        // before its first probes the executor knows nothing of what a previous run of this node left running
        // (a VM outlives a restarted daemon): nothing is known stopped yet
        return !runsResources || (probedAll && executor.runsNothing());
    }

    @Override
    public List<String> inFlight() {
        List<String> out = new ArrayList<>();
        for (String key : executor.inFlight()) {
            int slash = key.lastIndexOf('/');
            String rsc = key.substring(0, slash);
            int colon = rsc.lastIndexOf(':');
            if (colon > 0 && rsc.substring(colon + 1).chars().allMatch(Character::isDigit)) rsc = rsc.substring(0, colon);
            out.add(rsc + key.substring(slash));
        }
        return out;
    }

    @Override
    public void onMonitorResult(Consumer<Outcome> listener) { this.monitorListener = listener; }

    @Override
    public void onResult(ActionResult r) {
        // requested operations are committed by the agent when their future completes; only recurring monitor
        // changes (a failure, or its recovery) arrive here on their own
        if (r.action() == ResourceAction.MONITOR && !r.interval().isZero()) monitorListener.accept(outcome(r, ""));
    }

    private ActionRequest request(ClusterState s, Primitive p, ResourceAction action, long term) {
        ActionRequest req = ActionRequest.of("v" + ids.incrementAndGet(), term, p, action).withBlobs(s.config().blobs());
        Optional<Resource> top = s.config().topLevelOf(p.id());
        if (top.isPresent() && top.get() instanceof Clone c) req = req.asCloneInstance(c, 0);
        return req;
    }

    private Optional<Primitive> primitive(ClusterConfig config, String id) {
        Optional<Primitive> p = config.primitives().filter(x -> x.id().equals(id)).findFirst();
        if (p.isPresent()) {
            lastKnown.put(id, p.get());
            return p;
        }
        return Optional.ofNullable(lastKnown.get(id)); // an orphan: deleted from the config, maybe still running here
    }

    private static Outcome outcome(ActionResult r, String peer) {
        return new Outcome(r.resource(), r.action().text(), r.interval(), r.code(), r.message(), r.took(), peer, r.promotionScore());
    }

    private static String rootMessage(Throwable t) {
        while (t.getCause() != null && t.getMessage() == null) t = t.getCause();
        if (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) t = t.getCause();
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
