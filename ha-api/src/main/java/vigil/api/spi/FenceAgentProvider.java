package vigil.api.spi;

import vigil.api.model.FenceDevice;

/** Found through {@link java.util.ServiceLoader}: creates fence agents for device types it supports ({@code ipmi}, {@code agent:fence_virsh}, ...). */
public interface FenceAgentProvider {
    boolean supports(String type);

    /** @throws vigil.api.ConfigException naming the device parameter that is missing or invalid */
    FenceAgent create(FenceDevice device);
}
