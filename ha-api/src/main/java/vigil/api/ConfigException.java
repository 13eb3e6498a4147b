package vigil.api;

/**
 * A write was rejected because the configuration or command is invalid. Nothing was changed.
 *
 * <p>The message names the field, the offending value and how to fix it, for example
 * {@code resources.vm1.meta.migration-threshold: must be >= 0, got -3 (set a non-negative count, or remove it for INFINITY)}.
 */
public final class ConfigException extends VigilException {
    private final String field;
    private final String problem;
    private final String fix;

    public ConfigException(String field, String problem, String fix) {
        super(field + ": " + problem + (fix == null || fix.isEmpty() ? "" : " (" + fix + ")"));
        this.field = field;
        this.problem = problem;
        this.fix = fix == null ? "" : fix;
    }

    /** Path of the offending field, such as {@code constraints.ban-vm1.score}. */
    public String field() { return field; }

    /** What is wrong with it. */
    public String problem() { return problem; }

    /** What to do instead. */
    public String fix() { return fix; }
}
