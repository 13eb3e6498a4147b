package vigil.daemon.config;

import vigil.api.VigilException;

/**
 * A configuration file that cannot be used: names the file, the line, the field, the problem and the fix, e.g.
 * {@code cluster.yaml:14: resources.vm1.meta.migration-threshold: must be >= 0, got -3 (set a non-negative count)}.
 */
public final class YamlConfigException extends VigilException {
    private final String source;
    private final int line;
    private final String field;

    public YamlConfigException(String source, int line, String field, String problemAndFix) {
        super(source + (line > 0 ? ":" + line : "") + ": " + (field.isEmpty() ? "" : field + ": ") + problemAndFix);
        this.source = source;
        this.line = line;
        this.field = field;
    }

    /** The file name (or another label of the text). */
    public String source() { return source; }

    /** 1-based line of the offending field, or 0 when the problem is not tied to one line. */
    public int line() { return line; }

    /** Dotted path of the field, such as {@code resources.vm1.meta.target-role}. */
    public String field() { return field; }
}
