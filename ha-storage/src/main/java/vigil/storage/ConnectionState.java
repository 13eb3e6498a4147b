package vigil.storage;

/** A DRBD 9 connection state ({@code connection:} in events2, {@code connection-state} in status --json). */
public enum ConnectionState {
    StandAlone, Disconnecting, Unconnected, Timeout, BrokenPipe, NetworkFailure, ProtocolError, TearDown, Connecting, Connected,
    UNKNOWN_TO_VIGIL;

    public static ConnectionState parse(String text) {
        if (text == null) return UNKNOWN_TO_VIGIL;
        for (ConnectionState s : values()) if (s.name().equals(text)) return s;
        return UNKNOWN_TO_VIGIL;
    }
}
