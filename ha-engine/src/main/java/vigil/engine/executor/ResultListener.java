package vigil.engine.executor;

/**
 * Receives every result the executor produces: each requested operation's, and a recurring monitor's whenever its
 * code changes from what the resource's role expects (a failure, and the recovery from it). Called on an executor
 * thread; it must not block for long (hand the result to the Raft client and return).
 */
@FunctionalInterface
public interface ResultListener {
    void onResult(ActionResult result);
}
