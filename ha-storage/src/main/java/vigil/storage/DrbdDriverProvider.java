package vigil.storage;

import java.util.List;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/** Provides the {@code drbd} driver (found through {@link java.util.ServiceLoader}). */
public final class DrbdDriverProvider implements ResourceDriverProvider {
    private static final PeerFencing SHARED = PeerFencing.inMemory();

    @Override
    public boolean supports(String type) { return DrbdDriver.TYPE.equals(type); }

    @Override
    public List<String> types() { return List.of(DrbdDriver.TYPE); }

    @Override
    public ResourceDriver create(String type) {
        if (!supports(type)) throw new IllegalArgumentException("DrbdDriverProvider does not support type " + type);
        return new DrbdDriver(ProcessRunner.local(), SHARED);
    }
}
