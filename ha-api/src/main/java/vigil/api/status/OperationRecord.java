package vigil.api.status;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The result of one resource operation on one node, as the executor reported it.
 *
 * @param digests for an operation recorded by Pacemaker, the digests of the resource parameters it ran with; null for
 *                Vigil's own records
 */
public record OperationRecord(String action, Duration interval, OcfCode code, Instant at, Duration took, String reason, Digests digests) {
    public OperationRecord {
        Objects.requireNonNull(action, "action");
        interval = interval == null ? Duration.ZERO : interval;
        Objects.requireNonNull(code, "code");
        at = at == null ? Instant.EPOCH : at;
        took = took == null ? Duration.ZERO : took;
        reason = reason == null ? "" : reason;
    }

    /** An operation without parameter digests (what Vigil's executor reports). */
    public OperationRecord(String action, Duration interval, OcfCode code, Instant at, Duration took, String reason) {
        this(action, interval, code, at, took, reason, null);
    }

    /**
     * Pacemaker's digests of an operation's parameters: when they no longer match the configuration, the resource is
     * restarted ("due to resource definition change").
     *
     * @param all           of every parameter ({@code op-digest})
     * @param restart       of the parameters its agent cannot reload ({@code op-restart-digest}), null when the agent
     *                      cannot reload
     * @param forceRestart  the parameters its agent cannot reload ({@code op-force-restart}), null when not recorded
     *                      (then all of them)
     * @param secure        of the parameters other than the secret ones ({@code op-secure-digest}), or null
     * @param secureParams  the secret parameters ({@code op-secure-params}), left out of {@code secure}
     */
    public record Digests(String all, String restart, List<String> forceRestart, String secure, List<String> secureParams) {
        public Digests {
            Objects.requireNonNull(all, "all");
            forceRestart = forceRestart == null ? null : List.copyOf(forceRestart);
            secureParams = secureParams == null ? List.of() : List.copyOf(secureParams);
        }
    }
}
