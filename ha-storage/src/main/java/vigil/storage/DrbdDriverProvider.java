package vigil.storage;

import java.util.List;
import vigil.api.spi.DriverContext;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/**
 * Provides the {@code drbd} driver (found through {@link java.util.ServiceLoader}). On a cluster node it gets the
 * cluster's replicated fencing marks; created without a node (tools), it sees none and can set none.
 */
public final class DrbdDriverProvider implements ResourceDriverProvider {
    @Override
    public boolean supports(String type) { return DrbdDriver.TYPE.equals(type); }

    @Override
    public List<String> types() { return List.of(DrbdDriver.TYPE); }

    @Override
    public ResourceDriver create(String type) { return create(type, DriverContext.NONE); }

    @Override
    public ResourceDriver create(String type, DriverContext context) {
        if (!supports(type)) throw new IllegalArgumentException("DrbdDriverProvider does not support type " + type);
        return new DrbdDriver(ProcessRunner.local(), context.outdatedCopies());
    }
}
