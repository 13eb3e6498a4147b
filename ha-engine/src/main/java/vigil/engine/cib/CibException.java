package vigil.engine.cib;

import vigil.api.VigilException;

/**
 * A CIB could not be imported. {@code path} locates the element, e.g.
 * {@code cib/configuration/resources/bundle[@id='b1']}; {@code unsupported} tells a valid CIB feature that Vigil
 * does not model yet apart from a CIB that is itself broken.
 */
public final class CibException extends VigilException {
    private final String path;
    private final String problem;
    private final boolean unsupported;

    CibException(String path, String problem, boolean unsupported) {
        super(path + ": " + problem);
        this.path = path;
        this.problem = problem;
        this.unsupported = unsupported;
    }

    static CibException unsupported(String path, String problem) { return new CibException(path, problem, true); }

    static CibException invalid(String path, String problem) { return new CibException(path, problem, false); }

    public String path() { return path; }

    public boolean unsupported() { return unsupported; }

    /** What is wrong, without the path. */
    public String problem() { return problem; }

    /** The problem with quoted values elided, for counting causes over many CIBs. */
    public String problemKind() { return (unsupported ? "" : "invalid: ") + problem.replaceAll("\"[^\"]*\"", "\"…\""); }
}
