package vigil.fencing.ipmi;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.ProcessRunner;
import vigil.fencing.DeviceParams;

/**
 * Type {@code ipmi}. Parameters: {@code ip} (required), {@code ipport} (623), {@code username}, {@code password} or
 * {@code password_file} or {@code password_env}, {@code privlvl} (administrator), {@code cipher} (3),
 * {@code lan_timeout} (2s per packet), {@code retries} (2), {@code method} (onoff | cycle), {@code power_wait}
 * (500ms between status polls), {@code ipmitool_path} (ipmitool).
 */
public final class IpmiProvider implements FenceAgentProvider {
    private static final Set<String> PRIVS = Set.of("callback", "user", "operator", "administrator");

    @Override
    public boolean supports(String type) { return "ipmi".equals(type); }

    @Override
    public List<String> types() { return List.of("ipmi"); }

    @Override
    public FenceAgent create(FenceDevice device) { return create(device, ProcessRunner.local()); }

    public static IpmiFenceAgent create(FenceDevice device, ProcessRunner runner) {
        DeviceParams p = new DeviceParams(device);
        String privlvl = p.get("privlvl", "administrator").toLowerCase(java.util.Locale.ROOT);
        if (privlvl.equals("admin")) privlvl = "administrator";
        if (!PRIVS.contains(privlvl)) {
            throw new ConfigException(p.field("privlvl"), "unknown privilege level \"" + privlvl + "\"", "use callback, user, operator or administrator");
        }
        String method = p.get("method", "onoff");
        if (!method.equals("onoff") && !method.equals("cycle")) {
            throw new ConfigException(p.field("method"), "unknown reboot method \"" + method + "\"", "use onoff (verified) or cycle");
        }
        Ipmitool.Target t = new Ipmitool.Target(p.get("ipmitool_path", "ipmitool"),
                p.required("ip", "set ip to the BMC's address"), p.integer("ipport", 623, 1, 65535), p.get("username", ""),
                privlvl, p.integer("cipher", 3, 0, 17), p.duration("lan_timeout", Duration.ofSeconds(2)), p.integer("retries", 2, 0, 10));
        return new IpmiFenceAgent(device.id(), t, p.secret("password").orElse(""), method.equals("cycle"),
                p.duration("power_wait", Duration.ofMillis(500)), runner);
    }
}
