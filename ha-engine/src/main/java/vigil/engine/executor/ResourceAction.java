package vigil.engine.executor;

import java.util.Locale;

/** The driver operations an executor runs, by their OCF names. */
public enum ResourceAction {
    START, STOP, MONITOR, PROMOTE, DEMOTE, MIGRATE_TO, MIGRATE_FROM, NOTIFY;

    /** {@code start}, {@code migrate_to}, ... */
    public String text() { return name().toLowerCase(Locale.ROOT); }

    /** @throws IllegalArgumentException naming the accepted actions */
    public static ResourceAction parse(String text) {
        for (ResourceAction a : values()) if (a.text().equals(text.trim().toLowerCase(Locale.ROOT))) return a;
        throw new IllegalArgumentException("unknown resource action \"" + text
                + "\": use start, stop, monitor, promote, demote, migrate_to, migrate_from or notify");
    }

    /** Actions that can make a resource active here; refused while the node has no quorum. */
    boolean activates() { return this == START || this == PROMOTE || this == MIGRATE_FROM; }

    /** Actions the ledger records (they change where a resource is active or in which role). */
    boolean ledgered() { return this != MONITOR && this != NOTIFY; }

    @Override
    public String toString() { return text(); }
}
