package vigil.engine.scheduler;

/** What a planned action does. */
public enum ActionKind {
    FENCE, STOP, DEMOTE, MIGRATE_TO, MIGRATE_FROM, START, PROMOTE, MONITOR;

    /** The OCF action name ({@code migrate_to}, ...), or {@code fence}. */
    public String text() { return name().toLowerCase(java.util.Locale.ROOT); }
}
