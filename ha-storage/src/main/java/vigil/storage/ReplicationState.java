package vigil.storage;

/** A DRBD 9 replication state of one peer device ({@code replication:} / {@code replication-state}). */
public enum ReplicationState {
    Off, Established, StartingSyncS, StartingSyncT, WFBitMapS, WFBitMapT, WFSyncUUID, SyncSource, SyncTarget, VerifyS, VerifyT,
    PausedSyncS, PausedSyncT, Ahead, Behind, UNKNOWN_TO_VIGIL;

    public static ReplicationState parse(String text) {
        if (text == null) return Off;
        for (ReplicationState s : values()) if (s.name().equals(text)) return s;
        return UNKNOWN_TO_VIGIL;
    }

    public boolean isResync() {
        return this == SyncSource || this == SyncTarget || this == PausedSyncS || this == PausedSyncT || this == StartingSyncS
                || this == StartingSyncT || this == WFBitMapS || this == WFBitMapT || this == WFSyncUUID;
    }
}
