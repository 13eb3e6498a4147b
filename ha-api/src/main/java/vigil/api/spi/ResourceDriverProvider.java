package vigil.api.spi;

/**
 * Found through {@link java.util.ServiceLoader}: creates the driver for resource types it supports
 * ({@code kvm}, {@code drbd}, {@code ocf:<provider>:<agent>}, ...).
 */
public interface ResourceDriverProvider {
    boolean supports(String type);

    ResourceDriver create(String type);
}
