package vigil.engine.driver;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.ManagedService;
import vigil.api.model.Secrets;
import vigil.api.spi.OperationResult;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;
import vigil.api.spi.ResourceInstance;
import vigil.api.spi.ResourceMetadata;
import vigil.api.status.OcfCode;

/**
 * Runs an embedding application's own {@link ManagedService}s: a primitive of type {@code java:<name>} calls the
 * service registered here under {@code <name>}. A callback that throws fails the operation with its message
 * ({@code ERR_GENERIC}); an unregistered name is {@code ERR_INSTALLED}, so the cluster places the resource elsewhere.
 */
public final class JavaServiceDriver implements ResourceDriver {
    public static final String PREFIX = "java:";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    private static final Logger LOG = LoggerFactory.getLogger(JavaServiceDriver.class);

    private final ConcurrentMap<String, ManagedService> services = new ConcurrentHashMap<>();

    public static boolean isJavaType(String type) { return type != null && type.startsWith(PREFIX) && type.length() > PREFIX.length(); }

    /**
     * Registers {@code service} for resources of type {@code java:<name>}.
     *
     * @throws IllegalStateException when another service is registered under {@code name}
     */
    public void register(String name, ManagedService service) {
        Objects.requireNonNull(service, "service");
        if (name == null || name.isBlank() || name.contains(":")) {
            throw new IllegalArgumentException("java service name \"" + name + "\" is invalid: use the <name> of the type java:<name>, without ':'");
        }
        ManagedService old = services.putIfAbsent(name, service);
        if (old != null && old != service) {
            throw new IllegalStateException("java service \"" + name + "\" is already registered (" + old.getClass().getName()
                    + "); unregister it first or use another name");
        }
    }

    /** @return whether a service was registered under {@code name} */
    public boolean unregister(String name) { return services.remove(name) != null; }

    public Optional<ManagedService> service(String name) { return Optional.ofNullable(services.get(name)); }

    /** A provider for {@code java:*} types that returns this driver (for a {@link DriverRegistry}). */
    public ResourceDriverProvider provider() {
        JavaServiceDriver self = this;
        return new ResourceDriverProvider() {
            @Override
            public boolean supports(String type) { return isJavaType(type); }

            @Override
            public ResourceDriver create(String type) { return self; }
        };
    }

    @FunctionalInterface
    private interface Callback {
        OperationResult call(ManagedService s) throws Exception;
    }

    @Override
    public OperationResult start(ResourceInstance instance) {
        return call(instance, "start", s -> { s.start(); return OperationResult.success(); });
    }

    @Override
    public OperationResult stop(ResourceInstance instance) {
        return call(instance, "stop", s -> { s.stop(); return OperationResult.success(); });
    }

    @Override
    public OperationResult monitor(ResourceInstance instance) {
        return call(instance, "monitor", s -> {
            if (!s.isRunning()) return OperationResult.notRunning();
            return s.isPromoted() ? OperationResult.of(OcfCode.RUNNING_PROMOTED, "") : OperationResult.success();
        });
    }

    @Override
    public OperationResult promote(ResourceInstance instance) {
        return call(instance, "promote", s -> { s.promote(); return OperationResult.success(); });
    }

    @Override
    public OperationResult demote(ResourceInstance instance) {
        return call(instance, "demote", s -> { s.demote(); return OperationResult.success(); });
    }

    @Override
    public ResourceMetadata metadata() {
        Map<String, Duration> timeouts = Map.of("start", DEFAULT_TIMEOUT, "stop", DEFAULT_TIMEOUT, "monitor", DEFAULT_TIMEOUT,
                "promote", DEFAULT_TIMEOUT, "demote", DEFAULT_TIMEOUT);
        return new ResourceMetadata("java", List.of(), timeouts);
    }

    private OperationResult call(ResourceInstance inst, String action, Callback callback) {
        String name = isJavaType(inst.type()) ? inst.type().substring(PREFIX.length()) : inst.type();
        ManagedService s = services.get(name);
        if (s == null) {
            String msg = inst.resource() + ": java service \"" + name + "\" is not registered on node " + inst.localNode()
                    + "; register it with JavaServiceDriver.register(\"" + name + "\", service) before the cluster runs it there";
            LOG.warn(msg);
            return OperationResult.of(OcfCode.ERR_INSTALLED, msg);
        }
        try {
            return callback.call(s);
        } catch (UnsupportedOperationException e) {
            return OperationResult.of(OcfCode.ERR_UNIMPLEMENTED, inst.resource() + ": " + action + " is not implemented by java service \"" + name + "\"");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return OperationResult.failed(inst.resource() + ": " + action + " was interrupted");
        } catch (Exception e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
            String msg = Secrets.scrub(inst.resource() + ": " + action + " failed: " + why, inst.params());
            LOG.warn(msg);
            return OperationResult.failed(msg);
        }
    }
}
