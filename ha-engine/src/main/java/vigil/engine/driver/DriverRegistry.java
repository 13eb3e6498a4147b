package vigil.engine.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/**
 * Finds the driver for a resource type: the embedding application's Java services ({@code java:<name>}) first, then
 * the providers {@link ServiceLoader} finds on the class path ({@code ocf:...}, {@code kvm}, {@code drbd}, ...).
 * One driver per type, created on first use.
 */
public final class DriverRegistry {
    private final List<ResourceDriverProvider> providers;
    private final ConcurrentMap<String, ResourceDriver> drivers = new ConcurrentHashMap<>();

    public DriverRegistry(List<ResourceDriverProvider> providers) { this.providers = List.copyOf(providers); }

    /** {@code javaServices}' provider, then every {@link ResourceDriverProvider} on the class path. */
    public static DriverRegistry load(JavaServiceDriver javaServices) {
        List<ResourceDriverProvider> all = new ArrayList<>();
        all.add(javaServices.provider());
        ServiceLoader.load(ResourceDriverProvider.class, DriverRegistry.class.getClassLoader()).forEach(all::add);
        return new DriverRegistry(all);
    }

    public Optional<ResourceDriver> find(String type) {
        ResourceDriver d = drivers.get(type);
        if (d != null) return Optional.of(d);
        for (ResourceDriverProvider p : providers) {
            if (p.supports(type)) return Optional.of(drivers.computeIfAbsent(type, p::create));
        }
        return Optional.empty();
    }

    /** What to tell a user whose type no driver supports. */
    public static String noDriver(String resource, String type) {
        return resource + ": no driver for type \"" + type + "\"; use ocf:<provider>:<agent>, java:<name>, or add the module "
                + "that provides it (ha-kvm for kvm, ha-storage for drbd) to the class path";
    }
}
