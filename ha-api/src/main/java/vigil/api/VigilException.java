package vigil.api;

/** Base of every exception the Vigil API throws. */
public class VigilException extends RuntimeException {
    public VigilException(String message) { super(message); }
    public VigilException(String message, Throwable cause) { super(message, cause); }
}
