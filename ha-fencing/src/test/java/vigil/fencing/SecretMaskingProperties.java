package vigil.fencing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;
import vigil.api.model.ClusterConfig;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.api.spi.ProcessRunner;
import vigil.api.status.FenceEvent;
import vigil.fencing.ipmi.IpmiProvider;

/** Whatever the password and however a device echoes it back, results, events and logs never contain it. */
class SecretMaskingProperties {
    @Property(tries = 200)
    void ipmiFailure_neverContainsThePassword(@ForAll @AlphaChars @NumericChars @StringLength(min = 2, max = 24) String password,
                                              @ForAll boolean timeout) {
        ProcessRunner echoing = (argv, env, stdin, t) -> new ProcessRunner.ProcessResult(timeout ? -1 : 1,
                "stdout " + env.get("IPMI_PASSWORD"), "RAKP 2 HMAC is invalid for " + env.get("IPMI_PASSWORD") + "\n", timeout, Duration.ZERO);
        FenceDevice d = new FenceDevice("ipmi-n1", "ipmi", Map.of("ip", "10.0.0.1", "username", "u", "password", password),
                List.of("n1"), Map.of(), null);
        try (LogCapture logs = new LogCapture()) {
            FenceResult r = IpmiProvider.create(d, echoing).off(new FenceRequest("n1", null, Duration.ofSeconds(1)));
            if (!(r instanceof FenceResult.Failed)) throw new AssertionError("not a failure: " + r);
            if (r.detail().contains(password)) throw new AssertionError("password in result: " + r.detail());
            if (logs.text().contains(password)) throw new AssertionError("password in log: " + logs.text());
            FenceEvent e = new TopologyFencer(dev -> IpmiProvider.create(dev, echoing), java.time.InstantSource.system(), x -> { })
                    .fence(ClusterConfig.builder().fenceDevice(d).build(), "n1", "off", "n2");
            if (e.success() || e.detail().contains(password)) throw new AssertionError("event: " + e);
            if (d.toString().contains("password=" + password)) throw new AssertionError("device toString: " + d);
        }
    }
}
