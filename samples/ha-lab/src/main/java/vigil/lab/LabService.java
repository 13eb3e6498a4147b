package vigil.lab;

import java.util.concurrent.atomic.AtomicLong;
import vigil.api.ManagedService;

/**
 * A Java service of the lab workload that leaves its own evidence of running (see {@link Evidence}): each start opens
 * an activation, which ticks ten times a second until its stop; a promotable one also records its promotions and
 * demotions. The checker trusts these lines, not the cluster's view, to learn where the service ran.
 */
final class LabService implements ManagedService {
    static final long TICK_MS = 100;
    private static final AtomicLong ACTIVATIONS = new AtomicLong();
    /** Distinguishes this process's activations from those of an earlier one that had the same pid. */
    private static final String INCARNATION = Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16);

    private final String name;
    private final String node;
    private final boolean promotable;
    private final Evidence.Writer evidence;
    private final long pid = ProcessHandle.current().pid();
    private Thread worker;
    private String activation;
    private volatile boolean promoted;

    LabService(String name, String node, boolean promotable, Evidence.Writer evidence) {
        this.name = name;
        this.node = node;
        this.promotable = promotable;
        this.evidence = evidence;
    }

    @Override
    public synchronized void start() {
        if (worker != null) return;
        activation = node + "." + INCARNATION + "." + ACTIVATIONS.incrementAndGet();
        promoted = false;
        write(activation, Evidence.Event.START);
        String id = activation;
        Thread t = new Thread(() -> tick(id), name + "-ticks");
        t.setDaemon(true);
        worker = t;
        t.start();
    }

    private void tick(String id) {
        while (current() == Thread.currentThread()) {
            write(id, Evidence.Event.TICK);
            try {
                Thread.sleep(TICK_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized Thread current() { return worker; }

    @Override
    public void stop() throws InterruptedException {
        Thread t;
        String id;
        synchronized (this) {
            t = worker;
            id = activation;
            worker = null;
        }
        if (t == null) return;
        t.interrupt();
        t.join(2000);
        // a stop line only once nothing ticks any more: the checker reads it as the end of the activation
        if (t.isAlive()) throw new IllegalStateException(name + ": the ticking thread did not end within 2 s");
        synchronized (this) {
            promoted = false;
            write(id, Evidence.Event.STOP);
        }
    }

    @Override
    public synchronized boolean isRunning() { return worker != null; }

    @Override
    public synchronized void promote() {
        if (!promotable) throw new UnsupportedOperationException("promote");
        if (worker == null) throw new IllegalStateException(name + " is not running");
        if (!promoted) write(activation, Evidence.Event.PROMOTE);
        promoted = true;
    }

    @Override
    public synchronized void demote() {
        if (!promotable) throw new UnsupportedOperationException("demote");
        if (worker == null) throw new IllegalStateException(name + " is not running");
        if (promoted) write(activation, Evidence.Event.DEMOTE);
        promoted = false;
    }

    @Override
    public boolean isPromoted() { return promoted; }

    private void write(String id, Evidence.Event e) {
        evidence.append(new Evidence.Line(LocalCluster.nanos(java.time.Instant.now()), node, pid, name, id, e));
    }
}
