package vigil.daemon.cli;

import vigil.api.VigilException;

/** The command line itself is wrong (unknown subcommand or option, missing argument): exit code 2. */
public final class UsageException extends VigilException {
    public UsageException(String message) { super(message); }
}
