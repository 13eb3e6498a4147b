package vigil.api.spi;

/**
 * Runs one kind of resource, with OCF semantics. Every method must finish within {@code instance.timeout()};
 * the executor interrupts it and counts a failure otherwise. {@code monitor} returns SUCCESS (running),
 * NOT_RUNNING (cleanly stopped), RUNNING_PROMOTED, or an error. {@code stop} of a stopped resource succeeds.
 */
public interface ResourceDriver {
    OperationResult start(ResourceInstance instance);

    OperationResult stop(ResourceInstance instance);

    OperationResult monitor(ResourceInstance instance);

    default OperationResult promote(ResourceInstance instance) { return unimplemented("promote"); }

    default OperationResult demote(ResourceInstance instance) { return unimplemented("demote"); }

    /** Live-migrates to {@code instance.peerNode()}; runs on the source. */
    default OperationResult migrateTo(ResourceInstance instance) { return unimplemented("migrate_to"); }

    /** Completes a migration from {@code instance.peerNode()}; runs on the target. */
    default OperationResult migrateFrom(ResourceInstance instance) { return unimplemented("migrate_from"); }

    default OperationResult notify(ResourceInstance instance, String type, String operation) { return OperationResult.success(); }

    ResourceMetadata metadata();

    private static OperationResult unimplemented(String action) {
        return OperationResult.of(vigil.api.status.OcfCode.ERR_UNIMPLEMENTED, action + " is not implemented by this driver");
    }
}
