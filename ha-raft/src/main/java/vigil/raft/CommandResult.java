package vigil.raft;

import vigil.api.ConfigException;

/** The outcome of one committed command: applied, or rejected by validation (and then it changed nothing). */
public record CommandResult(ConfigException error) {
    public static final CommandResult OK = new CommandResult(null);

    public boolean ok() { return error == null; }

    /** Throws the rejection, if any. */
    public void orThrow() {
        if (error != null) throw new ConfigException(error.field(), error.problem(), error.fix());
    }
}
