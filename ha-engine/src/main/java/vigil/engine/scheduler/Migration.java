package vigil.engine.scheduler;

/**
 * Live migration (allow-migrate): a resource that moves becomes migrate_to on the source and migrate_from on the
 * target; its stop and start stay as the pseudo actions that orderings refer to. Whatever makes the stop or start
 * unmigratable (a dependency that restarts, a start that cannot run) turns it back into a stop and a start. A partial
 * migration (migrate_to done, migrate_from not yet) is completed on the same target when it is still chosen.
 */
final class Migration {
    private Migration() {}

    static void create(WorkingSet ws, Rsc rsc, SchedNode current, SchedNode chosen) {
        boolean partial = rsc.migrationTarget != null;
        Act start = ws.action(rsc, "start", chosen, true);
        Act stop = ws.action(rsc, "stop", current, true);
        Act to = null;
        if (!partial) {
            to = ws.action(rsc, "migrate_to", current, true);
            to.peer = chosen;
        }
        Act from = ws.action(rsc, "migrate_from", chosen, true);
        from.peer = current;
        start.set(Act.MIGRATE_RUNNABLE | Act.PSEUDO);
        stop.set(Act.MIGRATE_RUNNABLE);
        from.set(Act.MIGRATE_RUNNABLE);
        if (!partial) {
            to.set(Act.MIGRATE_RUNNABLE);
            ws.order(rsc, "migrate_to", rsc, "migrate_from", Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE);
        }
        ws.order(rsc, "migrate_from", rsc, "stop", Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE);
        ws.order(rsc, "migrate_from", rsc, "start", Ordering.OPTIONAL | Ordering.IMPLIES_FIRST_MIGRATABLE | Ordering.PSEUDO_LEFT);
    }
}
