package vigil.storage;

/**
 * A DRBD 9 disk state as {@code drbdsetup} prints it ({@code disk:} / {@code peer-disk:} in events2,
 * {@code disk-state} / {@code peer-disk-state} in {@code status --json}). {@link #UNKNOWN_TO_VIGIL} stands for a
 * name this version does not know, so a newer drbd-utils never breaks parsing.
 */
public enum DiskState {
    Diskless, Attaching, Detaching, Failed, Negotiating, Inconsistent, Outdated, DUnknown, Consistent, UpToDate, UNKNOWN_TO_VIGIL;

    public static DiskState parse(String text) {
        if (text == null) return DUnknown;
        for (DiskState s : values()) if (s.name().equals(text)) return s;
        return UNKNOWN_TO_VIGIL;
    }
}
