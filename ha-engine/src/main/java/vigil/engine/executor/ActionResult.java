package vigil.engine.executor;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.OptionalInt;
import vigil.api.status.OcfCode;

/**
 * What one operation did on one node, for the leader to commit.
 *
 * @param requestId      the request's id; a recurring monitor's results carry the id of the request that set it up
 * @param term           the request's term; for recurring monitors and stop-all, the newest term the executor had seen
 * @param resource       the primitive id; {@code instance} the clone instance number
 * @param code           the OCF result; {@link OcfCode#TIMEOUT} when the operation was killed at its timeout
 * @param message        why it failed, with secrets masked (empty on success)
 * @param took           how long it ran
 * @param promotionScore the score the agent set during the operation, for promotable resources
 * @param finishedAt     when it ended (executor clock)
 */
public record ActionResult(String requestId, long term, String resource, int instance, String node, ResourceAction action,
                           Duration interval, OcfCode code, String message, Duration took, OptionalInt promotionScore, Instant finishedAt) {
    public ActionResult {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(action, "action");
        interval = interval == null ? Duration.ZERO : interval;
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
        took = took == null ? Duration.ZERO : took;
        promotionScore = promotionScore == null ? OptionalInt.empty() : promotionScore;
        Objects.requireNonNull(finishedAt, "finishedAt");
    }

    public boolean isSuccess() { return code == OcfCode.SUCCESS; }

    @Override
    public String toString() {
        return resource + "_" + action.text() + "_" + interval.toMillis() + " on " + node + ": " + code
                + (message.isEmpty() ? "" : " (" + message + ")") + " in " + took.toMillis() + " ms, term " + term + ", request " + requestId;
    }
}
