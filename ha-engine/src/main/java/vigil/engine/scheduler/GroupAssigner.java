package vigil.engine.scheduler;

import java.util.List;

/**
 * Places a group (Pacemaker's group assign): its colocations become its first member's, colocations with it its last
 * member's; then each member is placed in turn, each colocated with the one before it.
 */
final class GroupAssigner {
    private GroupAssigner() {}

    static SchedNode assign(WorkingSet ws, Rsc group, SchedNode prefer) {
        if (!group.provisional) return group.location();
        if (group.allocating) return null;
        if (group.children.isEmpty()) {
            group.provisional = false;
            return null;
        }
        group.allocating = true;
        Rsc first = group.children.get(0);
        Rsc last = group.children.get(group.children.size() - 1);
        group.role = first.role;
        if (!group.thisWith.isEmpty()) {
            first.thisWith = Rsc.editable(first.thisWith);
            first.thisWith.addAll(group.thisWith);
            group.thisWith = List.of();
        }
        if (!group.withThis.isEmpty()) {
            last.withThis = Rsc.editable(last.withThis);
            last.withThis.addAll(group.withThis);
            group.withThis = List.of();
        }
        Scheduler.recordScores(ws, group);
        SchedNode where = null;
        for (Rsc member : group.children) {
            SchedNode n = PrimitiveAssigner.place(ws, member, prefer);
            if (where == null) where = n;
        }
        group.nextRole = first.nextRole;
        group.allocating = false;
        group.provisional = false;
        return where;
    }
}
