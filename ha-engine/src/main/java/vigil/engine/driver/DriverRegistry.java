package vigil.engine.driver;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import vigil.api.spi.DriverContext;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/**
 * Finds the driver for a resource type: the embedding application's Java services ({@code java:<name>}) first, then
 * the providers {@link ServiceLoader} finds on the class path ({@code ocf:...}, {@code kvm}, {@code drbd}, ...).
 * One driver per type, created on first use.
 */
public final class DriverRegistry {
    private final List<ResourceDriverProvider> providers;
    private final DriverContext context;
    private final ConcurrentMap<String, ResourceDriver> drivers = new ConcurrentHashMap<>();

    public DriverRegistry(List<ResourceDriverProvider> providers) { this(providers, DriverContext.NONE); }

    /** @param context what the drivers get from the node they run on (its cluster's fencing marks) */
    public DriverRegistry(List<ResourceDriverProvider> providers, DriverContext context) {
        this.providers = List.copyOf(providers);
        this.context = context;
    }

    /** {@code javaServices}' provider, then every {@link ResourceDriverProvider} on the class path; outside a cluster. */
    public static DriverRegistry load(JavaServiceDriver javaServices) { return load(javaServices, DriverContext.NONE); }

    /** {@code javaServices}' provider, then every {@link ResourceDriverProvider} on the class path, for a node of a cluster. */
    public static DriverRegistry load(JavaServiceDriver javaServices, DriverContext context) {
        List<ResourceDriverProvider> all = new ArrayList<>();
        all.add(javaServices.provider());
        ServiceLoader.load(ResourceDriverProvider.class, DriverRegistry.class.getClassLoader()).forEach(all::add);
        return new DriverRegistry(all, context);
    }

    public Optional<ResourceDriver> find(String type) {
        ResourceDriver d = drivers.get(type);
        if (d != null) return Optional.of(d);
        for (ResourceDriverProvider p : providers) {
            if (p.supports(type)) return Optional.of(drivers.computeIfAbsent(type, t -> p.create(t, context)));
        }
        return Optional.empty();
    }

    /** What to tell a user whose type no driver supports. */
    public static String noDriver(String resource, String type) {
        return resource + ": no driver for type \"" + type + "\"; use ocf:<provider>:<agent>, java:<name>, or add the module "
                + "that provides it (ha-kvm for kvm, ha-storage for drbd) to the class path";
    }
}
