package vigil.fencing.ipmi;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.event.Level;
import vigil.api.model.Secrets;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ProcessRunner.ProcessResult;
import vigil.fencing.ipmi.Ipmitool.PowerCommand;
import vigil.fencing.log.ScrubbingLogger;

/**
 * IPMI 2.0 (lanplus) power control through ipmitool, as fence_ipmilan does. {@code off} returns
 * {@link FenceResult.Off} only after {@code chassis power status} reported off; reboot is off-verify-on
 * ({@code method=onoff}, the default) or one {@code chassis power cycle} ({@code method=cycle}) which is confirmed by
 * the BMC's acknowledgement only, as with fence_ipmilan.
 */
public final class IpmiFenceAgent implements FenceAgent {
    private static final ScrubbingLogger LOG = ScrubbingLogger.of(IpmiFenceAgent.class);

    private final String id;
    private final Ipmitool.Target target;
    private final String password;
    private final boolean cycle;
    private final Duration pollInterval;
    private final ProcessRunner runner;
    private final Map<String, String> secrets;

    IpmiFenceAgent(String id, Ipmitool.Target target, String password, boolean cycle, Duration pollInterval, ProcessRunner runner) {
        this.id = id;
        this.target = target;
        this.password = password;
        this.cycle = cycle;
        this.pollInterval = pollInterval;
        this.runner = runner;
        this.secrets = password.isEmpty() ? Map.of() : Map.of("password", password);
    }

    @Override
    public FenceResult off(FenceRequest request) {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        FenceResult r = switchAndVerify(request, PowerCommand.OFF, false, deadline);
        log(request, "off", r);
        return r;
    }

    @Override
    public FenceResult on(FenceRequest request) {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        FenceResult r = switchAndVerify(request, PowerCommand.ON, true, deadline);
        log(request, "on", r);
        return r;
    }

    @Override
    public FenceResult reboot(FenceRequest request) {
        long deadline = System.nanoTime() + request.timeout().toNanos();
        FenceResult r;
        if (cycle) {
            Result c = run(PowerCommand.CYCLE, remaining(deadline));
            r = c.failure.isPresent() ? failed(request, "reboot", c.failure.get())
                    : new FenceResult.Off(id + ": " + request.node() + " power-cycled (acknowledged by the BMC)");
        } else {
            FenceResult off = switchAndVerify(request, PowerCommand.OFF, false, deadline);
            if (!(off instanceof FenceResult.Off)) {
                r = off;
            } else {
                FenceResult on = switchAndVerify(request, PowerCommand.ON, true, deadline);
                r = on instanceof FenceResult.On ? new FenceResult.Off(id + ": " + request.node() + " was off, powered on again")
                        : new FenceResult.Off(id + ": " + request.node() + " was off; powering on again failed: " + on.detail());
            }
        }
        log(request, "reboot", r);
        return r;
    }

    @Override
    public FenceResult status(FenceRequest request) {
        Result s = run(PowerCommand.STATUS, request.timeout());
        if (s.failure.isPresent()) return failed(request, "status", s.failure.get());
        return s.on.get() ? new FenceResult.On(id + ": " + request.node() + " is on") : new FenceResult.Off(id + ": " + request.node() + " is off");
    }

    @Override
    public List<String> list(Duration timeout) { return List.of(); }

    @Override
    public FenceResult monitor(Duration timeout) {
        Result s = run(PowerCommand.STATUS, timeout);
        if (s.failure.isPresent()) return new FenceResult.Failed(id + ": monitor failed: " + s.failure.get());
        return s.on.get() ? new FenceResult.On(id + ": BMC answers, power on") : new FenceResult.Off(id + ": BMC answers, power off");
    }

    private FenceResult switchAndVerify(FenceRequest request, PowerCommand cmd, boolean wantOn, long deadline) {
        String action = wantOn ? "on" : "off";
        Result before = run(PowerCommand.STATUS, remaining(deadline));
        if (before.failure.isPresent()) return failed(request, action, before.failure.get());
        if (before.on.get() != wantOn) {
            Result set = run(cmd, remaining(deadline));
            if (set.failure.isPresent()) return failed(request, action, set.failure.get());
        }
        while (true) {
            Result now = run(PowerCommand.STATUS, remaining(deadline));
            if (now.failure.isPresent()) return failed(request, action, "could not verify: " + now.failure.get());
            if (now.on.get() == wantOn) {
                String d = id + ": " + request.node() + " confirmed " + action + " by the BMC";
                return wantOn ? new FenceResult.On(d) : new FenceResult.Off(d);
            }
            if (System.nanoTime() + pollInterval.toNanos() > deadline) {
                return failed(request, action, "BMC still reports power " + (wantOn ? "off" : "on") + " after " + request.timeout().toSeconds() + " s");
            }
            sleep(pollInterval);
        }
    }

    private record Result(Optional<Boolean> on, Optional<String> failure) {}

    private Result run(PowerCommand cmd, Duration timeout) {
        if (timeout.isZero() || timeout.isNegative()) return new Result(Optional.empty(), Optional.of("timed out before " + cmd.name().toLowerCase() + " could run"));
        ProcessResult r = runner.run(Ipmitool.argv(target, cmd, !password.isEmpty()), password.isEmpty() ? Map.of() : Map.of(Ipmitool.PASSWORD_ENV, password), "", timeout);
        if (r.timedOut()) {
            return new Result(Optional.empty(), Optional.of("ipmitool chassis power " + cmd.name().toLowerCase() + " timed out after "
                    + timeout.toMillis() + " ms talking to " + target.ip() + ":" + target.port() + " (check the BMC, or raise the timeout)"));
        }
        if (r.exitCode() == 127) return new Result(Optional.empty(), Optional.of(scrub(r.stderr()) + " (install ipmitool or set ipmitool_path)"));
        if (r.exitCode() != 0) return new Result(Optional.empty(), Optional.of(scrub(Ipmitool.explain(r.stderr(), target))));
        if (cmd != PowerCommand.STATUS) return new Result(Optional.empty(), Optional.empty());
        Optional<Boolean> s = Ipmitool.parseStatus(r.stdout());
        if (s.isEmpty()) return new Result(s, Optional.of("unexpected ipmitool output: " + scrub(Ipmitool.lastLines(r.stdout(), 2))));
        return new Result(s, Optional.empty());
    }

    private FenceResult.Failed failed(FenceRequest request, String action, String why) {
        return new FenceResult.Failed(scrub(id + ": " + action + " of " + request.node() + " failed: " + why));
    }

    private String scrub(String s) { return Secrets.scrub(s, secrets); }

    private void log(FenceRequest request, String action, FenceResult r) {
        LOG.log(r instanceof FenceResult.Failed ? Level.WARN : Level.INFO, secrets, "{}: ipmi {} via {} -> {}: {}", request.node(), action, id,
                r.getClass().getSimpleName(), r.detail());
    }

    private static Duration remaining(long deadline) { return Duration.ofNanos(Math.max(0, deadline - System.nanoTime())); }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
