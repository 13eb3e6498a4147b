package vigil.api.spi;

import java.util.Objects;
import java.util.OptionalInt;
import vigil.api.status.OcfCode;

/**
 * The outcome of a driver operation: an OCF code, a human-readable reason for failures, and for promotable
 * resources the promotion score the driver wants (as {@code crm_attribute --promotion} sets it).
 */
public record OperationResult(OcfCode code, String message, OptionalInt promotionScore) {
    public OperationResult {
        Objects.requireNonNull(code, "code");
        message = message == null ? "" : message;
        promotionScore = promotionScore == null ? OptionalInt.empty() : promotionScore;
    }

    public static OperationResult success() { return new OperationResult(OcfCode.SUCCESS, "", OptionalInt.empty()); }

    public static OperationResult of(OcfCode code, String message) { return new OperationResult(code, message, OptionalInt.empty()); }

    public static OperationResult notRunning() { return of(OcfCode.NOT_RUNNING, ""); }

    public static OperationResult failed(String message) { return of(OcfCode.ERR_GENERIC, message); }

    public OperationResult withPromotionScore(int score) { return new OperationResult(code, message, OptionalInt.of(score)); }

    public boolean isSuccess() { return code == OcfCode.SUCCESS; }
}
