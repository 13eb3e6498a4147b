package vigil.api.spi;

/** The outcome of a fence action: the target is confirmed off, confirmed on, or the action failed. */
public sealed interface FenceResult permits FenceResult.Off, FenceResult.On, FenceResult.Failed {
    String detail();

    record Off(String detail) implements FenceResult {}

    record On(String detail) implements FenceResult {}

    /** Never a success: the target's power state is unknown or the action was refused. {@code detail} has secrets masked. */
    record Failed(String detail) implements FenceResult {}
}
