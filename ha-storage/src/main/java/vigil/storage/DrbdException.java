package vigil.storage;

import java.util.List;

/** A drbdadm / drbdsetup command failed: what Vigil was doing, the command, its exit code and stderr, and a hint. */
public final class DrbdException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;

    public DrbdException(String resource, String action, List<String> argv, int exitCode, String stderr, String hint) {
        super(resource + ": " + action + " failed: `" + String.join(" ", argv) + "` exited " + exitCode
                + (stderr == null || stderr.isBlank() ? "" : ": " + stderr.strip()) + (hint == null || hint.isEmpty() ? "" : " (" + hint + ")"));
        this.exitCode = exitCode;
    }

    public DrbdException(String message) {
        super(message);
        this.exitCode = -1;
    }

    public int exitCode() { return exitCode; }
}
