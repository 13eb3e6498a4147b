package vigil.fencing.watchdog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a Linux watchdog device ({@code /dev/watchdog}: softdog or a hardware watchdog) from resetting this node
 * while the node is healthy, and stops feeding it when told the node lost the cluster (no leader heard for
 * node-timeout), so the watchdog resets the node unless it is fed again within watchdog-timeout. Any file works as the
 * device, which is how tests observe the feeding.
 *
 * <p>{@link #close()} while feeding is an orderly shutdown: it writes the magic character {@code V} so the driver
 * disarms. After {@link #stopFeeding} it closes without {@code V}, leaving the watchdog armed: the reset still comes.
 * See https://www.kernel.org/doc/html/latest/watchdog/watchdog-api.html
 */
public final class WatchdogFeeder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WatchdogFeeder.class);
    private static final ByteBuffer PAT = ByteBuffer.wrap(new byte[] {'.'});
    private static final ByteBuffer MAGIC_CLOSE = ByteBuffer.wrap(new byte[] {'V'});

    private final Path device;
    private final Duration interval;
    private final InstantSource clock;
    private final AtomicLong ticks = new AtomicLong();
    private final AtomicLong feeds = new AtomicLong();
    private FileChannel channel;
    private ScheduledExecutorService timer;
    private volatile boolean feeding = true;
    private volatile String stopReason = "";
    private volatile Instant lastFeed = Instant.EPOCH;

    /** @param interval how often to feed; keep it well under the device's timeout (a third of it is usual) */
    public WatchdogFeeder(Path device, Duration interval, InstantSource clock) {
        if (interval.isZero() || interval.isNegative()) throw new IllegalArgumentException("watchdog feed interval must be positive, got " + interval);
        this.device = device;
        this.interval = interval;
        this.clock = clock;
    }

    /** The feed interval for a watchdog that resets after {@code watchdogTimeout}: a third of it, at least 10 ms. */
    public static Duration intervalFor(Duration watchdogTimeout) {
        Duration third = watchdogTimeout.dividedBy(3);
        return third.compareTo(Duration.ofMillis(10)) < 0 ? Duration.ofMillis(10) : third;
    }

    /** Opens (and thereby arms) the device and feeds it once; {@link #start()} also feeds it on a timer. */
    public synchronized WatchdogFeeder open() {
        if (channel == null) {
            try {
                channel = FileChannel.open(device, StandardOpenOption.WRITE, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot open watchdog " + device + " (load softdog or a hardware watchdog driver, and run as root): " + e.getMessage(), e);
            }
            LOG.info("watchdog {}: armed, feeding every {} ms", device, interval.toMillis());
            feed();
        }
        return this;
    }

    public synchronized WatchdogFeeder start() {
        open();
        if (timer == null) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "watchdog-feeder");
                t.setDaemon(true);
                return t;
            });
            timer.scheduleAtFixedRate(this::feed, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        }
        return this;
    }

    /** One tick: writes to the device unless feeding was stopped. Returns whether it fed. */
    public boolean feed() {
        ticks.incrementAndGet();
        if (!feeding) return false;
        synchronized (this) {
            if (channel == null || !feeding) return false;
            try {
                channel.write(PAT.duplicate());
            } catch (IOException e) {
                LOG.error("watchdog {}: feeding failed, the node will reset: {}", device, e.getMessage());
                return false;
            }
        }
        feeds.incrementAndGet();
        lastFeed = clock.instant();
        return true;
    }

    /** Stops feeding: the watchdog resets this node after its timeout unless {@link #resumeFeeding()} comes first. */
    public void stopFeeding(String reason) {
        if (feeding) LOG.warn("watchdog {}: stop feeding ({}); the node resets unless it rejoins in time", device, reason);
        stopReason = reason;
        feeding = false;
    }

    /** Feeds again, once the node hears from the cluster and has its resources in order. */
    public void resumeFeeding() {
        if (!feeding) LOG.info("watchdog {}: feeding again after \"{}\"", device, stopReason);
        feeding = true;
        feed();
    }

    public boolean feeding() { return feeding; }

    /** Ticks of the timer (fed or not) and actual writes: tests wait on these instead of sleeping. */
    public long ticks() { return ticks.get(); }

    public long feeds() { return feeds.get(); }

    public Instant lastFeed() { return lastFeed; }

    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        if (channel == null) return;
        try {
            if (feeding) {
                channel.write(MAGIC_CLOSE.duplicate());
                LOG.info("watchdog {}: disarmed (orderly shutdown)", device);
            } else {
                LOG.warn("watchdog {}: closed while not feeding ({}): left armed", device, stopReason);
            }
            channel.close();
        } catch (IOException e) {
            LOG.error("watchdog {}: closing: {}", device, e.getMessage());
        }
        channel = null;
    }
}
