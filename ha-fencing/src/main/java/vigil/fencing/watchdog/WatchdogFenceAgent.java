package vigil.fencing.watchdog;

import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.DeviceParams;
import vigil.fencing.TopologyFencer;

/**
 * Type {@code watchdog}: fencing a node that self-fences with its watchdog ({@link WatchdogFeeder}). Nothing can be
 * asked of the lost node, so off waits {@code watchdog_timeout} (required) and then reports it off: the fencer is
 * called only after the node was declared unclean, i.e. node-timeout after the cluster last heard from it, so by
 * then {@link WatchdogRule} holds. The fence timeout must exceed the watchdog timeout. It cannot report status or
 * power a node on.
 */
public final class WatchdogFenceAgent implements FenceAgent {
    private static final Logger LOG = LoggerFactory.getLogger(WatchdogFenceAgent.class);

    private final String id;
    private final Duration watchdogTimeout;
    private final TopologyFencer.Sleeper sleeper;

    public WatchdogFenceAgent(String id, Duration watchdogTimeout, TopologyFencer.Sleeper sleeper) {
        this.id = id;
        this.watchdogTimeout = watchdogTimeout;
        this.sleeper = sleeper;
    }

    public static final class Provider implements FenceAgentProvider {
        @Override
        public boolean supports(String type) { return "watchdog".equals(type); }

        @Override
        public List<String> types() { return List.of("watchdog"); }

        @Override
        public FenceAgent create(FenceDevice device) {
            DeviceParams p = new DeviceParams(device);
            Duration t = p.duration("watchdog_timeout", Duration.ZERO);
            if (t.isZero() || t.isNegative()) {
                throw new vigil.api.ConfigException(p.field("watchdog_timeout"), "missing or not positive",
                        "set it to the watchdog timeout of the nodes (the cluster property watchdog-timeout), e.g. 10s");
            }
            return new WatchdogFenceAgent(device.id(), t, d -> Thread.sleep(d.toMillis()));
        }
    }

    @Override
    public FenceResult off(FenceRequest request) {
        if (request.timeout().compareTo(watchdogTimeout) <= 0) {
            return new FenceResult.Failed(id + ": fence timeout " + request.timeout().toMillis() + " ms is not longer than watchdog-timeout "
                    + watchdogTimeout.toMillis() + " ms, so self-fencing of " + request.node() + " cannot be awaited (raise fence-timeout)");
        }
        LOG.info("{}: waiting watchdog-timeout {} ms for it to self-fence ({})", request.node(), watchdogTimeout.toMillis(), id);
        try {
            sleeper.sleep(watchdogTimeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FenceResult.Failed(id + ": interrupted while waiting for " + request.node() + " to self-fence");
        }
        return new FenceResult.Off(id + ": " + request.node() + " self-fenced (node-timeout + watchdog-timeout " + watchdogTimeout.toMillis() + " ms passed)");
    }

    @Override
    public FenceResult reboot(FenceRequest request) { return off(request); }

    @Override
    public FenceResult on(FenceRequest request) {
        return new FenceResult.Failed(id + ": a watchdog cannot power " + request.node() + " on (it restarts by itself after a reset)");
    }

    @Override
    public FenceResult status(FenceRequest request) {
        return new FenceResult.Failed(id + ": a watchdog cannot report the power of " + request.node() + "; its state follows from the timing rule");
    }

    @Override
    public List<String> list(Duration timeout) { return List.of(); }

    @Override
    public FenceResult monitor(Duration timeout) { return new FenceResult.On(id + ": watchdog fencing needs no reachable device"); }
}
