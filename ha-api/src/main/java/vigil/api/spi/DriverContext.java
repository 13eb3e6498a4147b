package vigil.api.spi;

import java.util.Objects;

/**
 * What a node offers the drivers it creates beyond the instance of each operation
 * ({@link ResourceDriverProvider#create(String, DriverContext)}).
 *
 * @param outdatedCopies the cluster's resource-level fencing marks
 */
public record DriverContext(OutdatedCopies outdatedCopies) {
    /** Outside a cluster: no marks. */
    public static final DriverContext NONE = new DriverContext(OutdatedCopies.NONE);

    public DriverContext { Objects.requireNonNull(outdatedCopies, "outdatedCopies"); }
}
