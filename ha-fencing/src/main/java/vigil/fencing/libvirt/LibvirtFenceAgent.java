package vigil.fencing.libvirt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.ErrorCallback;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.DeviceParams;

/**
 * Type {@code libvirt}: fences a cluster node that is a VM by destroying its domain through the hypervisor's libvirt
 * (what fence_virsh and fence_xvm do), with libvirt-java. Parameters: {@code uri} (e.g. {@code qemu+ssh://host/system},
 * {@code qemu:///system}, {@code test:///path/node.xml}), {@code power_wait} (200ms between state polls). The host
 * map gives each node its domain name (or UUID); without an entry the node id is the domain name.
 *
 * <p>One connection is kept for the agent's lifetime (and reopened after a failure); each call runs on the agent's
 * own thread so a hung hypervisor connection becomes a failed fence at the request's timeout.
 */
public final class LibvirtFenceAgent implements FenceAgent {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtFenceAgent.class);
    /** Without an error function libvirt prints every error to stderr; the agent reports them itself. Strongly held for JNA. */
    private static final ErrorCallback QUIET = new ErrorCallback();
    private static volatile boolean quiet;

    private final String id;
    private final String uri;
    private final Duration pollInterval;
    private ExecutorService thread;
    private Connect connect;

    LibvirtFenceAgent(String id, String uri, Duration pollInterval) {
        this.id = id;
        this.uri = uri;
        this.pollInterval = pollInterval;
    }

    public static final class Provider implements FenceAgentProvider {
        @Override
        public boolean supports(String type) { return "libvirt".equals(type); }

        @Override
        public List<String> types() { return List.of("libvirt"); }

        @Override
        public FenceAgent create(FenceDevice device) {
            DeviceParams p = new DeviceParams(device);
            return new LibvirtFenceAgent(device.id(), p.required("uri", "set uri to the hypervisor's libvirt URI, e.g. qemu+ssh://host1/system"),
                    p.duration("power_wait", Duration.ofMillis(200)));
        }
    }

    @FunctionalInterface
    private interface Call<T> {
        T run(Connect c) throws LibvirtException, InterruptedException;
    }

    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String message) { super(message, null, false, false); }
    }

    @Override
    public FenceResult off(FenceRequest request) {
        return logged(request, "off", power(request, false, deadline(request.timeout())));
    }

    @Override
    public FenceResult on(FenceRequest request) {
        return logged(request, "on", power(request, true, deadline(request.timeout())));
    }

    @Override
    public FenceResult reboot(FenceRequest request) {
        long deadline = deadline(request.timeout());
        FenceResult off = power(request, false, deadline);
        if (!(off instanceof FenceResult.Off)) return logged(request, "reboot", off);
        FenceResult on = power(request, true, deadline);
        return logged(request, "reboot", on instanceof FenceResult.On ? new FenceResult.Off(off.detail() + "; started again")
                : new FenceResult.Off(off.detail() + "; starting again failed: " + on.detail()));
    }

    @Override
    public FenceResult status(FenceRequest request) {
        try {
            Boolean active = call(request.timeout(), "read the state of domain " + request.plug(), c -> {
                Domain d = lookup(c, request.plug());
                if (d == null) throw new LibvirtNoDomain(request.plug());
                return d.isActive() == 1;
            });
            String d = id + ": " + request.node() + " (domain " + request.plug() + ") is " + (active ? "running" : "shut off");
            return active ? new FenceResult.On(d) : new FenceResult.Off(d);
        } catch (Failure e) {
            return new FenceResult.Failed(id + ": status of " + request.node() + " failed: " + e.getMessage());
        }
    }

    @Override
    public List<String> list(Duration timeout) {
        try {
            return call(timeout, "list domains", c -> {
                List<String> out = new ArrayList<>();
                for (int domId : c.listDomains()) out.add(c.domainLookupByID(domId).getName());
                for (String n : c.listDefinedDomains()) out.add(n);
                return out;
            });
        } catch (Failure e) {
            throw new IllegalStateException(id + ": list failed: " + e.getMessage());
        }
    }

    @Override
    public FenceResult monitor(Duration timeout) {
        try {
            long v = call(timeout, "ask for the library version", Connect::getLibVersion);
            return new FenceResult.On(id + ": libvirt at " + uri + " answers (version " + v + ")");
        } catch (Failure e) {
            return new FenceResult.Failed(id + ": monitor failed: " + e.getMessage());
        }
    }

    @Override
    public synchronized void close() {
        if (thread != null) {
            ExecutorService t = thread;
            thread = null;
            try {
                t.submit(this::disconnect).get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                LOG.debug("{}: closing the libvirt connection: {}", id, e.toString());
            }
            t.shutdownNow();
        }
    }

    private FenceResult power(FenceRequest request, boolean on, long deadline) {
        String action = on ? "on" : "off";
        String dom = request.plug();
        try {
            boolean done = call(remaining(deadline), (on ? "start" : "destroy") + " domain " + dom, c -> {
                Domain d = lookup(c, dom);
                if (d == null) throw new LibvirtNoDomain(dom);
                boolean active = d.isActive() == 1;
                if (active != on) {
                    if (on) d.create();
                    else d.destroy();
                }
                while (true) {
                    Domain now = lookup(c, dom);
                    // a transient domain disappears once destroyed: it is off
                    boolean isOn = now != null && now.isActive() == 1;
                    if (isOn == on) return true;
                    if (System.nanoTime() + pollInterval.toNanos() > deadline) return false;
                    Thread.sleep(pollInterval.toMillis());
                }
            });
            if (!done) {
                return new FenceResult.Failed(id + ": " + action + " of " + request.node() + " failed: domain " + dom + " still "
                        + (on ? "shut off" : "running") + " after " + request.timeout().toMillis() + " ms");
            }
            String d = id + ": " + request.node() + " (domain " + dom + ") confirmed " + (on ? "running" : "off") + " by libvirt at " + uri;
            return on ? new FenceResult.On(d) : new FenceResult.Off(d);
        } catch (Failure e) {
            return new FenceResult.Failed(id + ": " + action + " of " + request.node() + " failed: " + e.getMessage());
        }
    }

    private static final class LibvirtNoDomain extends RuntimeException {
        private static final long serialVersionUID = 1L;

        LibvirtNoDomain(String name) { super(name, null, false, false); }
    }

    private static Domain lookup(Connect c, String name) throws LibvirtException {
        try {
            return name.matches("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
                    ? c.domainLookupByUUIDString(name) : c.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) return null;
            throw e;
        }
    }

    private synchronized <T> T call(Duration timeout, String what, Call<T> call) throws Failure {
        if (timeout.isNegative() || timeout.isZero()) throw new Failure("timed out before it could " + what);
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "libvirt-fence-" + id);
                t.setDaemon(true);
                return t;
            });
        }
        Future<T> f = thread.submit(() -> call.run(connection()));
        try {
            return f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            // the connection may be stuck inside libvirt: abandon it and its thread, reconnect next time
            thread.shutdownNow();
            thread = null;
            connect = null;
            throw new Failure("libvirt at " + uri + " did not " + what + " within " + timeout.toMillis() + " ms (check the hypervisor, or raise fence-timeout)");
        } catch (InterruptedException e) {
            f.cancel(true);
            Thread.currentThread().interrupt();
            throw new Failure("interrupted while trying to " + what);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof LibvirtNoDomain) {
                throw new Failure("no domain named " + c.getMessage() + " at " + uri + " (check the host map)");
            }
            if (c instanceof LibvirtException) {
                LibvirtException le = (LibvirtException) c;
                if (connect != null && isConnectionError(le)) thread.submit(this::disconnect);
                throw new Failure("libvirt at " + uri + " could not " + what + ": " + message(le));
            }
            if (c instanceof LinkageError) {
                throw new Failure("the libvirt client library cannot be loaded (" + c.getMessage() + "); install libvirt0 on this node");
            }
            throw new Failure("could not " + what + ": " + c);
        }
    }

    /** On the agent's thread: the open connection, opened first if needed. */
    private Connect connection() throws LibvirtException {
        if (connect == null) {
            if (!quiet) {
                Connect.setErrorCallback(QUIET);
                quiet = true;
            }
            connect = new Connect(uri);
        }
        return connect;
    }

    private Void disconnect() {
        if (connect != null) {
            try {
                connect.close();
            } catch (LibvirtException e) {
                LOG.debug("{}: closing {}: {}", id, uri, message(e));
            }
            connect = null;
        }
        return null;
    }

    private static boolean isConnectionError(LibvirtException e) {
        ErrorNumber n = e.getError() == null ? null : e.getError().getCode();
        return n == ErrorNumber.VIR_ERR_SYSTEM_ERROR || n == ErrorNumber.VIR_ERR_RPC || n == ErrorNumber.VIR_ERR_INVALID_CONN
                || n == ErrorNumber.VIR_ERR_NO_CONNECT || n == ErrorNumber.VIR_ERR_AUTH_FAILED;
    }

    private static String message(LibvirtException e) {
        String m = e.getError() != null && e.getError().getMessage() != null ? e.getError().getMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.trim();
    }

    private FenceResult logged(FenceRequest request, String action, FenceResult r) {
        LOG.atLevel(r instanceof FenceResult.Failed ? Level.WARN : Level.INFO).log("{}: libvirt {} via {} -> {}: {}", request.node(), action, id,
                r.getClass().getSimpleName(), r.detail());
        return r;
    }

    private static long deadline(Duration timeout) { return System.nanoTime() + timeout.toNanos(); }

    private static Duration remaining(long deadline) { return Duration.ofNanos(Math.max(0, deadline - System.nanoTime())); }
}
