package vigil.api.spi;

import java.util.List;
import vigil.api.model.FenceDevice;

/** Found through {@link java.util.ServiceLoader}: creates fence agents for device types it supports ({@code ipmi}, {@code agent:fence_virsh}, ...). */
public interface FenceAgentProvider {
    boolean supports(String type);

    /** @throws vigil.api.ConfigException naming the device parameter that is missing or invalid */
    FenceAgent create(FenceDevice device);

    /**
     * The device types this provider can create on this host, for listings such as {@code vigil stonith list}; a
     * provider of an open family ({@code agent:fence_<name>}) lists the agents installed.
     */
    default List<String> types() { return List.of(); }
}
