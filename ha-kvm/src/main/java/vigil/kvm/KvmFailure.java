package vigil.kvm;

import vigil.api.spi.OperationResult;
import vigil.api.status.OcfCode;

/** An operation failed with a known OCF code; caught at the driver boundary and turned into its result. */
final class KvmFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final OcfCode code;

    KvmFailure(OcfCode code, String message) {
        super(message);
        this.code = code;
    }

    KvmFailure(OcfCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    OcfCode code() { return code; }

    OperationResult result() { return OperationResult.of(code, getMessage()); }
}
