package vigil.fencing;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;

/** Creates the fence agent for a device through the {@link FenceAgentProvider}s found by {@link ServiceLoader}. */
public final class FenceAgents {
    private FenceAgents() {}

    public static FenceAgent create(FenceDevice device) {
        List<FenceAgentProvider> providers = new ArrayList<>();
        ServiceLoader.load(FenceAgentProvider.class, FenceAgents.class.getClassLoader()).forEach(providers::add);
        for (FenceAgentProvider p : providers) {
            if (p.supports(device.type())) return p.create(device);
        }
        throw new ConfigException("fence-devices." + device.id() + ".type", "no fence adapter for type \"" + device.type() + "\"",
                "use ipmi, libvirt, apc-snmp, watchdog, process or agent:fence_<name>, and put the module providing it on the classpath");
    }
}
