package vigil.engine.scheduler;

/** Clone notifications (notify=true): pre and post notify pseudo actions around starts, stops, promotes and demotes. */
final class Notifications {
    private Notifications() {}

    static void clone(WorkingSet ws, Rsc clone, Act start, Act started, Act stop, Act stopped) { }

    static void promotable(WorkingSet ws, Rsc clone, Act promote, Act promoted, Act demote, Act demoted) { }

    /** The pseudo action that confirms a collective's post-notification for {@code task}, if notifications are on. */
    static Act confirmedPost(Rsc rsc, String task) { return null; }
}
