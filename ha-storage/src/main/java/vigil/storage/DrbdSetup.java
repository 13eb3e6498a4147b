package vigil.storage;

import java.util.List;

/** argv for {@code drbdsetup} (DRBD 9): state queries and the few low-level changes drbdadm does not cover. */
public final class DrbdSetup {
    public static final String PROGRAM = "drbdsetup";

    private DrbdSetup() {}

    public static List<String> primary(String res, boolean force) {
        String r = DrbdAdm.checkName(res);
        return force ? List.of(PROGRAM, "primary", r, "--force") : List.of(PROGRAM, "primary", r);
    }

    public static List<String> secondary(String res) { return List.of(PROGRAM, "secondary", DrbdAdm.checkName(res)); }

    /** {@code drbdsetup status RES --json --verbose --statistics}: the state as a JSON array. */
    public static List<String> statusJson(String res) {
        return List.of(PROGRAM, "status", DrbdAdm.checkName(res), "--json", "--verbose", "--statistics");
    }

    /** {@code drbdsetup events2 --now --statistics RES}: the current state as events2 lines, then exit. */
    public static List<String> events2Now(String res) { return List.of(PROGRAM, "events2", "--now", "--statistics", DrbdAdm.checkName(res)); }

    /** {@code drbdsetup events2 --statistics RES}: the live event stream (initial state, {@code exists -}, then changes). */
    public static List<String> events2(String res) { return List.of(PROGRAM, "events2", "--statistics", DrbdAdm.checkName(res)); }

    /** Switches dual-primary on or off for one connection without touching the other net options. */
    public static List<String> allowTwoPrimaries(String res, int peerNodeId, boolean allow) {
        if (peerNodeId < 0 || peerNodeId > 31) throw new IllegalArgumentException("peer node-id must be 0..31, got " + peerNodeId);
        return List.of(PROGRAM, "net-options", DrbdAdm.checkName(res), Integer.toString(peerNodeId),
                "--allow-two-primaries=" + (allow ? "yes" : "no"));
    }
}
