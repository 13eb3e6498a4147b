package vigil.api.spi;

import java.util.List;

/**
 * Found through {@link java.util.ServiceLoader}: creates the driver for resource types it supports
 * ({@code kvm}, {@code drbd}, {@code ocf:<provider>:<agent>}, ...).
 */
public interface ResourceDriverProvider {
    boolean supports(String type);

    ResourceDriver create(String type);

    /** The driver for {@code type} on a cluster node; drivers that need the cluster (e.g. its fencing marks) override this. */
    default ResourceDriver create(String type, DriverContext context) { return create(type); }

    /**
     * The types this provider can create on this host, for listings such as {@code vigil resource agents}; a provider
     * of an open family ({@code ocf:<provider>:<agent>}) lists what is installed.
     */
    default List<String> types() { return List.of(); }
}
