package vigil.fencing;

import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.event.Level;
import vigil.api.VigilException;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.model.FencingLevel;
import vigil.api.model.Secrets;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.NodeFencer;
import vigil.api.status.FenceEvent;
import vigil.fencing.log.ScrubbingLogger;

/**
 * Fences a node through its topology, as Pacemaker's fencer does: the node's {@link FencingLevel}s in ascending
 * index, each succeeding only if every device in it confirmed the target off, falling back to the next level on any
 * failure. Without levels, every device whose {@link FenceDevice#canFence} accepts the node is tried on its own, in
 * configuration order, until one succeeds. A device's {@code delay} is waited before it acts. The returned event's
 * {@code success} is true only when a device confirmed the target off; its detail has every secret masked.
 * See https://clusterlabs.org/pacemaker/doc/2.1/Pacemaker_Explained/html/fencing.html#fencing-topology
 */
public final class TopologyFencer implements NodeFencer {
    private static final ScrubbingLogger LOG = ScrubbingLogger.of(TopologyFencer.class);

    /** Waits a device's delay; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final Function<FenceDevice, FenceAgent> agents;
    private final InstantSource clock;
    private final Sleeper sleeper;

    public TopologyFencer() { this(FenceAgents::create, InstantSource.system(), d -> Thread.sleep(d.toMillis())); }

    public TopologyFencer(Function<FenceDevice, FenceAgent> agents, InstantSource clock, Sleeper sleeper) {
        this.agents = agents;
        this.clock = clock;
        this.sleeper = sleeper;
    }

    @Override
    public FenceEvent fence(ClusterConfig config, String target, String action, String executorNode) {
        Map<String, String> secrets = new TreeMap<>();
        for (FenceDevice d : config.fenceDevices()) d.params().forEach((k, v) -> secrets.put(d.id() + "/" + k, v));
        List<List<String>> levels = levels(config, target);
        if (!"off".equals(action) && !"reboot".equals(action)) {
            return event(target, action, List.of(), executorNode, false, "unknown fence action \"" + action + "\" (use off or reboot)", secrets);
        }
        if (levels.isEmpty()) {
            String d = "no fence device can fence " + target + " (give a device a host-list or host-map entry for it, or add a fencing level)";
            LOG.log(Level.WARN, secrets, "{}: {}", target, d);
            return event(target, action, List.of(), executorNode, false, d, secrets);
        }
        Duration timeout = config.properties().fenceTimeout();
        List<String> tried = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (int i = 0; i < levels.size(); i++) {
            List<String> level = levels.get(i);
            String name = levelName(config, target, i, level);
            List<String> done = new ArrayList<>();
            String failure = null;
            for (String deviceId : level) {
                tried.add(deviceId);
                Optional<FenceDevice> device = config.fenceDevice(deviceId);
                if (device.isEmpty()) {
                    failure = deviceId + ": no such fence device";
                    break;
                }
                FenceResult r = runDevice(device.get(), target, action, timeout, secrets);
                if (r instanceof FenceResult.Off) {
                    done.add(r.detail());
                } else {
                    failure = r.detail();
                    break;
                }
            }
            if (failure == null) {
                String d = name + " succeeded: " + String.join("; ", done);
                notes.add(d);
                LOG.log(Level.INFO, secrets, "{}: fenced ({}) by {} {}", target, action, name, level);
                return event(target, action, level, executorNode, true, String.join(" | ", notes), secrets);
            }
            notes.add(name + " failed: " + failure);
            LOG.log(Level.WARN, secrets, "{}: {} {} failed, {}: {}", target, name, level,
                    i + 1 < levels.size() ? "trying the next" : "no more levels", failure);
        }
        return event(target, action, tried, executorNode, false, String.join(" | ", notes), secrets);
    }

    @Override
    public FenceResult check(ClusterConfig config, String deviceId) {
        Optional<FenceDevice> device = config.fenceDevice(deviceId);
        if (device.isEmpty()) return new FenceResult.Failed(deviceId + ": no such fence device");
        Map<String, String> secrets = new TreeMap<>();
        device.get().params().forEach((k, v) -> secrets.put(deviceId + "/" + k, v));
        FenceResult r;
        try (FenceAgent agent = agents.apply(device.get())) {
            r = agent.monitor(config.properties().fenceTimeout());
        } catch (VigilException | IllegalArgumentException | IllegalStateException e) {
            r = new FenceResult.Failed(deviceId + ": cannot use device: " + e.getMessage());
        } catch (RuntimeException e) {
            r = new FenceResult.Failed(deviceId + ": unexpected error: " + e);
        }
        String detail = Secrets.scrub(r.detail(), secrets);
        return r instanceof FenceResult.Failed ? new FenceResult.Failed(detail) : new FenceResult.On(detail);
    }

    private FenceResult runDevice(FenceDevice device, String target, String action, Duration timeout, Map<String, String> secrets) {
        try {
            if (!device.delay().isZero()) {
                LOG.log(Level.INFO, secrets, "{}: waiting delay {} ms of {} before fencing", target, device.delay().toMillis(), device.id());
                sleeper.sleep(device.delay());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FenceResult.Failed(device.id() + ": interrupted while waiting its delay");
        }
        FenceRequest request = new FenceRequest(target, device.plugFor(target), timeout);
        try (FenceAgent agent = agents.apply(device)) {
            FenceResult r = "reboot".equals(action) ? agent.reboot(request) : agent.off(request);
            if (!(r instanceof FenceResult.Off)) {
                return r instanceof FenceResult.Failed ? r
                        : new FenceResult.Failed(device.id() + ": " + action + " of " + target + " reported on, not off: " + r.detail());
            }
            if ("off".equals(action)) {
                FenceResult s = agent.status(request);
                if (!(s instanceof FenceResult.Off)) {
                    return new FenceResult.Failed(device.id() + ": " + target + " not confirmed off after off: " + s.detail());
                }
            }
            return r;
        } catch (VigilException | IllegalArgumentException | IllegalStateException e) {
            return new FenceResult.Failed(device.id() + ": cannot use device: " + e.getMessage());
        } catch (RuntimeException e) {
            // a bug or an environment problem in an adapter: the level fails, the next one still gets its chance
            LOG.log(Level.ERROR, secrets, "{}: fence device {} failed unexpectedly: {}", target, device.id(), e.toString());
            return new FenceResult.Failed(device.id() + ": unexpected error: " + e);
        }
    }

    /** The node's levels as device-id lists, or one single-device level per capable device when it has none. */
    static List<List<String>> levels(ClusterConfig config, String target) {
        List<FencingLevel> own = config.fencingLevels().stream().filter(l -> l.node().equals(target))
                .sorted(Comparator.comparingInt(FencingLevel::index)).toList();
        List<List<String>> out = new ArrayList<>();
        if (!own.isEmpty()) {
            for (FencingLevel l : own) out.add(l.devices());
            return out;
        }
        for (FenceDevice d : config.fenceDevices()) if (d.canFence(target)) out.add(List.of(d.id()));
        return out;
    }

    private static String levelName(ClusterConfig config, String target, int i, List<String> level) {
        boolean explicit = config.fencingLevels().stream().anyMatch(l -> l.node().equals(target));
        if (!explicit) return "device " + level.get(0);
        int index = config.fencingLevels().stream().filter(l -> l.node().equals(target))
                .sorted(Comparator.comparingInt(FencingLevel::index)).toList().get(i).index();
        return "level " + index;
    }

    private FenceEvent event(String target, String action, List<String> devices, String executor, boolean success,
                             String detail, Map<String, String> secrets) {
        return new FenceEvent(target, action, devices, executor, success, clock.instant(), Secrets.scrub(detail, secrets));
    }
}
