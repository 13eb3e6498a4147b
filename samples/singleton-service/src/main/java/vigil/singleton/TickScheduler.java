package vigil.singleton;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ManagedService;

/**
 * A job scheduler that must run on one node only: while started it appends {@code tick <n> <node> <time>} to a
 * file at a fixed interval. The cluster starts it on exactly one node ({@link ManagedService}); if that node dies,
 * the cluster starts it on another one.
 */
public final class TickScheduler implements ManagedService {
    private static final Logger LOG = LoggerFactory.getLogger(TickScheduler.class);

    private final String node;
    private final Path ticks;
    private final Duration interval;
    private final InstantSource clock;
    private final AtomicLong count = new AtomicLong();
    private ScheduledExecutorService timer;
    private ScheduledFuture<?> job;

    public TickScheduler(String node, Path ticks, Duration interval, InstantSource clock) {
        this.node = node;
        this.ticks = ticks;
        this.interval = interval;
        this.clock = clock;
    }

    @Override
    public synchronized void start() {
        if (job != null) return;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ticker");
            t.setDaemon(true);
            return t;
        });
        job = timer.scheduleAtFixedRate(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        LOG.info("{}: ticker started, writing to {}", node, ticks);
    }

    private void tick() {
        String line = "tick " + count.incrementAndGet() + " " + node + " " + clock.instant() + "\n";
        try {
            Files.writeString(ticks, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public synchronized void stop() throws InterruptedException {
        if (job == null) return;
        job.cancel(false);
        timer.shutdown();
        timer.awaitTermination(5, TimeUnit.SECONDS);
        job = null;
        timer = null;
        LOG.info("{}: ticker stopped after {} ticks", node, count.get());
    }

    @Override
    public synchronized boolean isRunning() { return job != null && !job.isDone(); }
}
