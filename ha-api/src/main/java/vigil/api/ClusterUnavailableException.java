package vigil.api;

/** The cluster could not be reached or has no quorum; the write may not have been applied. */
public final class ClusterUnavailableException extends VigilException {
    public ClusterUnavailableException(String message) { super(message); }
    public ClusterUnavailableException(String message, Throwable cause) { super(message, cause); }
}
