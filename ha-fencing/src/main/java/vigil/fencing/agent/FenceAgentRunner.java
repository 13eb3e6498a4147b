package vigil.fencing.agent;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.event.Level;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.model.Secrets;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ProcessRunner.ProcessResult;
import vigil.fencing.DeviceParams;
import vigil.fencing.log.ScrubbingLogger;

/**
 * Type {@code agent:fence_<name>}: runs any ClusterLabs fence agent with its stdin protocol. Device parameters are
 * the agent's own (checked against its {@code -o metadata}); besides them Vigil reads {@code agent_path} (where the
 * agent is; default: found in /usr/sbin, /sbin, /usr/bin), {@code password_file} / {@code password_env} (handed to
 * the agent as {@code password} on stdin, never on the command line), and {@code host_argument} (the parameter that
 * receives the node's plug: {@code plug} or {@code port} when the agent has one, {@code none} to send none).
 * After {@code off} it asks the agent for {@code status} and returns {@link FenceResult.Off} only on status 2 (off).
 */
public final class FenceAgentRunner implements FenceAgent {
    private static final ScrubbingLogger LOG = ScrubbingLogger.of(FenceAgentRunner.class);
    private static final Map<String, AgentMetadata> METADATA = new ConcurrentHashMap<>();
    private static final List<String> SEARCH = List.of("/usr/sbin", "/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");
    private static final List<String> VIGIL_PARAMS = List.of("agent_path", "password_file", "password_env", "host_argument");

    private final String id;
    private final String agent;
    private final AgentMetadata metadata;
    private final Map<String, String> params;
    private final String hostArgument;
    private final ProcessRunner runner;

    private FenceAgentRunner(String id, String agent, AgentMetadata metadata, Map<String, String> params, String hostArgument, ProcessRunner runner) {
        this.id = id;
        this.agent = agent;
        this.metadata = metadata;
        this.params = params;
        this.hostArgument = hostArgument;
        this.runner = runner;
    }

    public static final class Provider implements FenceAgentProvider {
        @Override
        public boolean supports(String type) { return type.startsWith("agent:fence_") && type.length() > "agent:fence_".length(); }

        /** Every fence_* agent installed where {@link FenceAgentRunner} looks for them. */
        @Override
        public List<String> types() {
            TreeSet<String> found = new TreeSet<>();
            for (String dir : SEARCH) {
                File[] files = new File(dir).listFiles((d, n) -> n.matches("fence_[A-Za-z0-9_]+"));
                if (files != null) for (File f : files) if (f.canExecute()) found.add("agent:" + f.getName());
            }
            return List.copyOf(found);
        }

        @Override
        public FenceAgent create(FenceDevice device) { return FenceAgentRunner.create(device, ProcessRunner.local()); }
    }

    public static FenceAgentRunner create(FenceDevice device, ProcessRunner runner) {
        DeviceParams p = new DeviceParams(device);
        String name = device.type().substring("agent:".length());
        if (!name.matches("fence_[A-Za-z0-9_]+")) {
            throw new ConfigException("fence-devices." + device.id() + ".type", "\"" + device.type() + "\" is not a fence agent name",
                    "write agent:fence_<name>, e.g. agent:fence_ipmilan");
        }
        String path = p.optional("agent_path").orElseGet(() -> find(name).orElseThrow(() -> new ConfigException(
                "fence-devices." + device.id() + ".type", name + " not found in " + SEARCH,
                "install fence-agents (apt-get install fence-agents), or set agent_path")));
        AgentMetadata md = metadata(device.id(), path, runner);
        Map<String, String> params = new TreeMap<>();
        for (var e : device.params().entrySet()) {
            String k = e.getKey();
            if (VIGIL_PARAMS.contains(k)) continue;
            if (k.equals("action") || k.equals("plug") || k.equals("port") && md.parameter("plug").isPresent()) {
                throw new ConfigException(p.field(k), "is set by Vigil for each request", "remove it; map nodes to plugs with host-map");
            }
            if (md.parameter(k).isEmpty()) {
                throw new ConfigException(p.field(k), name + " has no parameter \"" + k + "\"",
                        "use one of " + md.parameters().stream().map(s -> s.name()).filter(s -> !s.equals("action")).collect(Collectors.joining(", ")));
            }
            params.put(k, e.getValue());
        }
        if (!params.containsKey("password") && md.parameter("password").isPresent()) {
            p.secret("password").ifPresent(pw -> params.put("password", pw));
        }
        String hostArg = p.optional("host_argument").orElse(md.parameter("plug").isPresent() ? "plug" : md.parameter("port").isPresent() ? "port" : "none");
        if (!hostArg.equals("none") && md.parameter(hostArg).isEmpty()) {
            throw new ConfigException(p.field("host_argument"), name + " has no parameter \"" + hostArg + "\"", "use plug, port or none");
        }
        return new FenceAgentRunner(device.id(), path, md, Map.copyOf(params), hostArg.equals("none") ? null : hostArg, runner);
    }

    /** The agent's parsed {@code -o metadata}, run once per agent path. */
    public static AgentMetadata metadata(String deviceId, String path, ProcessRunner runner) {
        AgentMetadata cached = METADATA.get(path);
        if (cached != null) return cached;
        ProcessResult r = runner.run(List.of(path, "-o", "metadata"), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw new ConfigException("fence-devices." + deviceId + ".type", path + " -o metadata failed (exit " + r.exitCode() + "): "
                    + AgentProtocol.explain(r.stdout(), r.stderr()), "check that the agent runs by hand");
        }
        AgentMetadata md;
        try {
            md = AgentMetadata.parse(r.stdout());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("fence-devices." + deviceId + ".type", path + ": " + e.getMessage(), "check that it is a ClusterLabs fence agent");
        }
        METADATA.put(path, md);
        return md;
    }

    public AgentMetadata metadata() { return metadata; }

    private static Optional<String> find(String name) {
        for (String dir : SEARCH) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return Optional.of(p.toString());
        }
        return Optional.empty();
    }

    @Override
    public FenceResult off(FenceRequest request) {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        FenceResult r = switchPower(request, "off", deadline);
        log(request, "off", r);
        return r;
    }

    @Override
    public FenceResult on(FenceRequest request) {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        FenceResult r = switchPower(request, "on", deadline);
        log(request, "on", r);
        return r;
    }

    @Override
    public FenceResult reboot(FenceRequest request) {
        ProcessResult r = run("reboot", request.plug(), request.timeout());
        FenceResult out = r.ok() ? new FenceResult.Off(id + ": " + agent + " rebooted " + request.node() + " (it verifies off before on)")
                : failed(request, "reboot", r, request.timeout());
        log(request, "reboot", out);
        return out;
    }

    @Override
    public FenceResult status(FenceRequest request) {
        ProcessResult r = run("status", request.plug(), request.timeout());
        if (!r.timedOut() && r.exitCode() == AgentProtocol.STATUS_ON) return new FenceResult.On(id + ": " + request.node() + " is on");
        if (!r.timedOut() && r.exitCode() == AgentProtocol.STATUS_OFF) return new FenceResult.Off(id + ": " + request.node() + " is off");
        return failed(request, "status", r, request.timeout());
    }

    @Override
    public List<String> list(Duration timeout) {
        if (!metadata.actions().contains("list")) return List.of();
        ProcessResult r = run("list", null, timeout);
        if (!r.ok()) throw new IllegalStateException(scrub(id + ": " + agent + " list failed: " + AgentProtocol.explain(r.stdout(), r.stderr())));
        return AgentProtocol.parseList(r.stdout());
    }

    @Override
    public FenceResult monitor(Duration timeout) {
        ProcessResult r = run("monitor", null, timeout);
        if (r.ok()) return new FenceResult.On(id + ": " + agent + " monitor ok");
        return new FenceResult.Failed(scrub(id + ": monitor failed: " + why(r, timeout)));
    }

    private FenceResult switchPower(FenceRequest request, String action, long deadline) {
        ProcessResult r = run(action, request.plug(), remaining(deadline));
        if (!r.ok()) return failed(request, action, r, request.timeout());
        FenceResult s = status(new FenceRequest(request.node(), request.plug(), remaining(deadline)));
        if (s instanceof FenceResult.Failed) return new FenceResult.Failed(id + ": " + action + " of " + request.node() + " not verified: " + s.detail());
        boolean wantOn = action.equals("on");
        if (s instanceof FenceResult.On != wantOn) {
            return new FenceResult.Failed(id + ": " + agent + " reported " + action + " done but status says " + (wantOn ? "off" : "on") + " for " + request.node());
        }
        String d = id + ": " + request.node() + " confirmed " + action + " by " + agent;
        return wantOn ? new FenceResult.On(d) : new FenceResult.Off(d);
    }

    private ProcessResult run(String action, String plug, Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) return new ProcessResult(-1, "", "", true, Duration.ZERO);
        String stdin = AgentProtocol.stdin(action, plug == null ? null : hostArgument, plug, params);
        return runner.run(List.of(agent), Map.of(), stdin, timeout);
    }

    private String why(ProcessResult r, Duration timeout) {
        if (r.timedOut()) return agent + " did not finish within " + timeout.toMillis() + " ms (check the device, or raise fence-timeout)";
        if (r.exitCode() == 127) return r.stderr();
        return agent + " exit " + r.exitCode() + ": " + AgentProtocol.explain(r.stdout(), r.stderr());
    }

    private FenceResult.Failed failed(FenceRequest request, String action, ProcessResult r, Duration timeout) {
        return new FenceResult.Failed(scrub(id + ": " + action + " of " + request.node() + " failed: " + why(r, timeout)));
    }

    private String scrub(String s) { return Secrets.scrub(s, secrets()); }

    /** The agent's secret parameters, under names {@link Secrets} recognizes. */
    private Map<String, String> secrets() {
        Map<String, String> secrets = new TreeMap<>();
        params.forEach((k, v) -> { if (AgentMetadata.secret(k)) secrets.put("password-" + k, v); });
        return secrets;
    }

    private void log(FenceRequest request, String action, FenceResult r) {
        LOG.log(r instanceof FenceResult.Failed ? Level.WARN : Level.INFO, secrets(), "{}: {} {} via {} -> {}: {}", request.node(),
                agent.substring(agent.lastIndexOf('/') + 1), action, id, r.getClass().getSimpleName(), r.detail());
    }

    private static Duration remaining(long deadline) { return Duration.ofNanos(Math.max(0, deadline - System.nanoTime())); }
}
