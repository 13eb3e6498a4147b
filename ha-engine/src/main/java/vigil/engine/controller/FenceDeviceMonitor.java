package vigil.engine.controller;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Durations;
import vigil.api.model.FenceDevice;
import vigil.api.model.Node;
import vigil.api.spi.FenceResult;
import vigil.api.spi.NodeFencer;
import vigil.api.status.ClusterState;
import vigil.api.status.FenceDeviceStatus;
import vigil.engine.state.Command;

/**
 * The controller's periodic check of every fence device (Pacemaker monitors its stonith resources), so that a device
 * that could not fence, a wrong IPMI password or an unreachable PDU, is seen in status, events and metrics before a node
 * must be fenced. Each device is checked every {@code fence-monitor-interval} (cluster property, default 60 s; 0 turns
 * the checks off) from a node it does not fence: the controller's own when it may, else another online node, through
 * that node's agent. A result is committed when it differs from the last one. Runs on the controller's thread.
 */
final class FenceDeviceMonitor {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.controller");
    /** The cluster property (in {@code properties.other}) that sets how often each device is checked. */
    static final String INTERVAL_PROPERTY = "fence-monitor-interval";
    static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    private final String self;
    private final NodeFencer fencer;
    private final NodeTransport transport;
    private final Function<List<Command>, CompletableFuture<?>> submit;
    private final ExecutorService workers;
    private final Consumer<Runnable> onControllerThread;
    private final Map<String, Instant> nextCheck = new HashMap<>();
    private final Set<String> running = new HashSet<>();

    FenceDeviceMonitor(String self, NodeFencer fencer, NodeTransport transport, Function<List<Command>, CompletableFuture<?>> submit,
                       ExecutorService workers, Consumer<Runnable> onControllerThread) {
        this.self = self;
        this.fencer = fencer;
        this.transport = transport;
        this.submit = submit;
        this.workers = workers;
        this.onControllerThread = onControllerThread;
    }

    static Duration interval(ClusterConfig config) {
        String v = config.properties().other().get(INTERVAL_PROPERTY);
        if (v == null) return DEFAULT_INTERVAL;
        try {
            return Durations.parse(INTERVAL_PROPERTY, v);
        } catch (RuntimeException e) {
            return DEFAULT_INTERVAL; // ConfigValidator refuses such a value; an old state may still hold one
        }
    }

    /** Forgets the schedule (a new term): every device is checked again soon. */
    void reset() {
        nextCheck.clear();
        running.clear();
    }

    /**
     * Starts the checks that are due. {@code alive} tells which nodes answer; {@code term} stamps remote checks.
     */
    void tick(ClusterState s, Instant now, Set<String> alive, long term) {
        ClusterConfig config = s.config();
        Duration every = interval(config);
        nextCheck.keySet().removeIf(d -> config.fenceDevice(d).isEmpty());
        if (every.isZero()) return;
        for (FenceDevice d : config.fenceDevices()) {
            if (d.type().equals("watchdog") || running.contains(d.id())) continue;
            Instant due = nextCheck.get(d.id());
            if (due != null && now.isBefore(due)) continue;
            String from = checker(config, d, alive);
            if (from == null) continue; // every node it could be checked from is silent; try at the next tick
            nextCheck.put(d.id(), now.plus(every));
            running.add(d.id());
            CompletableFuture<FenceResult> result = from.equals(self)
                    ? CompletableFuture.supplyAsync(() -> fencer.check(config, d.id()), workers)
                    : transport.checkFenceDevice(from, new NodeTransport.FenceCheckRequest(term, self, d.id()));
            result.exceptionally(e -> new FenceResult.Failed(d.id() + ": the check could not run on " + from + ": " + e))
                    .thenAccept(r -> onControllerThread.accept(() -> record(s, d.id(), from, s.now(), r))); // stamped with the cluster time (now is monotonic)
        }
    }

    /** Where to check {@code d} from: a node it cannot fence (this one first), else this node when it fences every node. */
    static String checker(ClusterConfig config, FenceDevice d, Set<String> alive, String self) {
        if (!d.canFence(self)) return self;
        for (Node n : config.nodes()) {
            if (!n.id().equals(self) && alive.contains(n.id()) && !d.canFence(n.id())) return n.id();
        }
        boolean fencesEveryone = config.nodes().stream().allMatch(n -> d.canFence(n.id()));
        return fencesEveryone ? self : null;
    }

    private String checker(ClusterConfig config, FenceDevice d, Set<String> alive) { return checker(config, d, alive, self); }

    private void record(ClusterState before, String device, String from, Instant at, FenceResult r) {
        running.remove(device);
        boolean ok = !(r instanceof FenceResult.Failed);
        FenceDeviceStatus last = before.fenceDevices().get(device);
        if (last != null && last.ok() == ok && last.detail().equals(r.detail())) return;
        if (ok) LOG.info("{}: fence device answers (checked from {}): {}", device, from, r.detail());
        else LOG.warn("{}: fence device check FAILED (from {}): {}", device, from, r.detail());
        List<Command> c = new ArrayList<>();
        c.add(new Command.RecordFenceDeviceCheck(new FenceDeviceStatus(device, ok, from, at, r.detail())));
        submit.apply(c);
    }
}
