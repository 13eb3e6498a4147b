package org.example.ticker;

import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import vigil.api.ManagedService;

/** The work that must happen on one node only: a line on standard output every 200 ms while it runs. */
final class Ticker implements ManagedService {
    private final String node;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ticker");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> ticks;

    Ticker(String node) { this.node = node; }

    @Override
    public synchronized void start() {
        if (ticks != null) return;
        System.out.println("TICKER STARTED on " + node);
        ticks = timer.scheduleAtFixedRate(() -> System.out.println("TICK " + node + " " + Instant.now()), 0, 200, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (ticks == null) return;
        ticks.cancel(false);
        ticks = null;
        System.out.println("TICKER STOPPED on " + node);
    }

    @Override
    public synchronized boolean isRunning() { return ticks != null; }
}
