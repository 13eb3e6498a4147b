package vigil.fencing.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;

/**
 * Type {@code process}, for tests and the demo: "powers off" a Vigil node that is a local process by SIGKILL.
 * The host map sends each node to the file holding its pid; off kills it and returns {@link FenceResult.Off} once the
 * pid is gone, status reports whether it is alive. It cannot power a node on. With parameter {@code match}, a pid
 * whose command line does not contain it is a stale pid file (the pid was reused): that node is not running, and the
 * unrelated process is left alone.
 */
public final class ProcessFenceAgent implements FenceAgent {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessFenceAgent.class);

    private final String id;
    private final Map<String, String> pidFiles;
    private final String match;

    ProcessFenceAgent(String id, Map<String, String> pidFiles, String match) {
        this.id = id;
        this.pidFiles = pidFiles;
        this.match = match;
    }

    public static final class Provider implements FenceAgentProvider {
        @Override
        public boolean supports(String type) { return "process".equals(type); }

        @Override
        public List<String> types() { return List.of("process"); }

        @Override
        public FenceAgent create(FenceDevice device) {
            if (device.hostMap().isEmpty()) {
                throw new ConfigException("fence-devices." + device.id() + ".host-map", "empty",
                        "map every node this device fences to its pid file, e.g. node1: /run/vigil/node1.pid");
            }
            return new ProcessFenceAgent(device.id(), device.hostMap(), device.params().getOrDefault("match", ""));
        }
    }

    @Override
    public FenceResult off(FenceRequest request) {
        FenceResult r = kill(request);
        LOG.atLevel(r instanceof FenceResult.Failed ? Level.WARN : Level.INFO).log("{}: process off via {} -> {}: {}", request.node(), id,
                r.getClass().getSimpleName(), r.detail());
        return r;
    }

    private FenceResult kill(FenceRequest request) {
        Pid pid = pid(request);
        if (pid.failure != null) return new FenceResult.Failed(id + ": off of " + request.node() + " failed: " + pid.failure);
        if (pid.handle.isEmpty()) return new FenceResult.Off(id + ": " + request.node() + " (" + pid.describe() + ") is not running");
        ProcessHandle h = pid.handle.get();
        if (!h.destroyForcibly()) {
            return new FenceResult.Failed(id + ": off of " + request.node() + " failed: cannot send SIGKILL to " + pid.describe()
                    + " (run Vigil as the same user as the node)");
        }
        try {
            h.onExit().get(request.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            return new FenceResult.Failed(id + ": off of " + request.node() + " failed: " + pid.describe() + " still alive "
                    + request.timeout().toMillis() + " ms after SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FenceResult.Failed(id + ": off of " + request.node() + " interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            // onExit never completes exceptionally; fall through to the liveness check
        }
        if (h.isAlive()) return new FenceResult.Failed(id + ": off of " + request.node() + " failed: " + pid.describe() + " still alive");
        return new FenceResult.Off(id + ": " + request.node() + " killed (" + pid.describe() + " gone)");
    }

    @Override
    public FenceResult on(FenceRequest request) {
        return new FenceResult.Failed(id + ": on of " + request.node() + " is not possible with a process device (start the node process yourself)");
    }

    @Override
    public FenceResult reboot(FenceRequest request) {
        FenceResult off = off(request);
        if (!(off instanceof FenceResult.Off)) return off;
        return new FenceResult.Off(off.detail() + "; a process device cannot start it again");
    }

    @Override
    public FenceResult status(FenceRequest request) {
        Pid pid = pid(request);
        if (pid.failure != null) return new FenceResult.Failed(id + ": status of " + request.node() + " failed: " + pid.failure);
        return pid.handle.isPresent() ? new FenceResult.On(id + ": " + request.node() + " (" + pid.describe() + ") is alive")
                : new FenceResult.Off(id + ": " + request.node() + " (" + pid.describe() + ") is not running");
    }

    @Override
    public List<String> list(Duration timeout) { return List.copyOf(pidFiles.keySet()); }

    @Override
    public FenceResult monitor(Duration timeout) {
        for (String f : pidFiles.values()) {
            Path dir = Path.of(f).toAbsolutePath().getParent();
            if (dir == null || !Files.isDirectory(dir)) return new FenceResult.Failed(id + ": pid file directory of " + f + " does not exist");
        }
        return new FenceResult.On(id + ": " + pidFiles.size() + " pid files configured");
    }

    private static final class Pid {
        String file;
        long pid = -1;
        Optional<ProcessHandle> handle = Optional.empty();
        String failure;

        String describe() { return pid < 0 ? "no pid in " + file : "pid " + pid + " from " + file; }
    }

    private Pid pid(FenceRequest request) {
        Pid p = new Pid();
        p.file = pidFiles.get(request.node());
        if (p.file == null) {
            p.failure = "no pid file for node " + request.node() + " in the host map (add " + request.node() + ": <pid file>)";
            return p;
        }
        String text;
        try {
            text = Files.readString(Path.of(p.file)).trim();
        } catch (NoSuchFileException e) {
            return p; // no pid file: the node is not running
        } catch (IOException e) {
            p.failure = "cannot read " + p.file + ": " + e.getMessage();
            return p;
        }
        if (text.isEmpty()) return p;
        try {
            p.pid = Long.parseLong(text);
        } catch (NumberFormatException e) {
            p.failure = p.file + " does not hold a pid: \"" + (text.length() > 20 ? text.substring(0, 20) + "..." : text) + "\"";
            return p;
        }
        p.handle = ProcessHandle.of(p.pid).filter(ProcessHandle::isAlive);
        if (p.handle.isPresent() && !match.isEmpty()) {
            Optional<String> cmd = commandLine(p.handle.get());
            if (cmd.isEmpty()) {
                p.failure = "cannot read the command line of pid " + p.pid + " to check it is a node process (run Vigil as the node's user)";
            } else if (!cmd.get().contains(match)) {
                LOG.info("{}: pid {} from {} is another program now, node not running", request.node(), p.pid, p.file);
                p.handle = Optional.empty();
            }
        }
        return p;
    }

    /**
     * The whole command line of {@code h}: from {@code /proc/<pid>/cmdline} where there is one, because
     * {@link ProcessHandle.Info#commandLine()} cuts it at 4096 bytes on Linux, and a JVM's class path alone is often
     * longer: a {@code match} after the cut would take the node for another program and leave it running.
     */
    static Optional<String> commandLine(ProcessHandle h) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(h.pid()), "cmdline"));
            if (raw.length > 0) return Optional.of(new String(raw, java.nio.charset.StandardCharsets.UTF_8).replace('\0', ' ').trim());
        } catch (IOException | UnsupportedOperationException noProcFs) {
            // not Linux, or the process is gone: what the JDK knows
        }
        return h.info().commandLine();
    }
}
