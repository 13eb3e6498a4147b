package vigil.api.status;

/** OCF resource agent exit codes (and the two Pacemaker adds for timeouts and errors of the executor itself). */
public enum OcfCode {
    SUCCESS(0), ERR_GENERIC(1), ERR_ARGS(2), ERR_UNIMPLEMENTED(3), ERR_PERM(4), ERR_INSTALLED(5), ERR_CONFIGURED(6),
    NOT_RUNNING(7), RUNNING_PROMOTED(8), FAILED_PROMOTED(9), DEGRADED(190), DEGRADED_PROMOTED(191),
    /** The operation did not finish within its timeout and was killed. */
    TIMEOUT(198),
    /** The executor could not run the operation at all (agent missing, cannot fork...). */
    EXEC_ERROR(199),
    /**
     * Not a result: the operation was sent and its result is not in yet (Pacemaker records pending operations with
     * this code too). A pending start, promote or migrate_from counts as possibly active on its node.
     */
    PENDING(193);

    private final int code;

    OcfCode(int code) { this.code = code; }

    public int code() { return code; }

    public static OcfCode of(int code) {
        for (OcfCode c : values()) if (c.code == code) return c;
        return ERR_GENERIC;
    }

    /** Whether a monitor with this result means the resource is active. */
    public boolean meansActive() {
        return this == SUCCESS || this == RUNNING_PROMOTED || this == FAILED_PROMOTED || this == DEGRADED || this == DEGRADED_PROMOTED
                || this == ERR_GENERIC;
    }
}
