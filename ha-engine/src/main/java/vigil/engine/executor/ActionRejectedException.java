package vigil.engine.executor;

import vigil.api.VigilException;

/** An action was not run: its term is older than the newest the node has seen, the node lost quorum, or it was cancelled. */
public final class ActionRejectedException extends VigilException {
    private final long newestTerm;

    public ActionRejectedException(String message, long newestTerm) {
        super(message);
        this.newestTerm = newestTerm;
    }

    /** The newest term the executor had seen; a sender with an older term is no longer the leader. */
    public long newestTerm() { return newestTerm; }
}
