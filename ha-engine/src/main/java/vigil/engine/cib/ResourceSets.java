package vigil.engine.cib;

import java.util.ArrayList;
import java.util.List;
import vigil.api.model.Action;
import vigil.api.model.Constraint;
import vigil.api.model.OrderKind;
import vigil.api.model.Role;
import vigil.api.model.Score;

/**
 * Resource sets in order and colocation constraints ("Pacemaker Explained", Resource Sets), read as the pairwise
 * constraints Pacemaker derives from them, in the order it derives them (each set's own constraints, then those
 * between it and the set before it).
 *
 * <p>Ordering: the members of a sequential set (the default) start one after the other, each after the one before it
 * (with the set's {@code action}, start unless given); one set's members are ordered before the next set's: all of a
 * non-sequential set, only the last of a sequential one, before all of a non-sequential next set or only the first
 * of a sequential one; after a set with {@code require-all="false"}, any one of its members is enough. Colocation: each member of a sequential set is placed with the member before it (set A B: B
 * with A; with {@code ordering="listed"}, A with B), or, for a negative score, kept away from every member before
 * it; a set is placed with the set after it: all members of a non-sequential set, or the first of a sequential
 * one, with all members of a non-sequential next set or the last of a sequential one. A set's {@code role} applies
 * to its members, its {@code score} to the colocations inside it.
 */
final class ResourceSets {
    private ResourceSets() {}

    /**
     * One {@code resource_set}: its members (templates and tags expanded) and options; {@code score} and {@code kind}
     * null when unset; {@code listed} for {@code ordering="listed"}.
     */
    record Set(String id, List<String> members, boolean sequential, boolean requireAll, Action action, Role role, Score score,
               OrderKind kind, boolean listed) {}

    /** The orders of an {@code rsc_order} with resource sets. */
    static List<Constraint.Order> orders(String id, List<Set> sets, OrderKind kind, boolean symmetrical) {
        List<Constraint.Order> out = new ArrayList<>();
        Set last = null;
        for (Set set : sets) {
            OrderKind k = set.kind() == null ? kind : set.kind();
            if (set.sequential()) {
                for (int i = 1; i < set.members().size(); i++) {
                    String first = set.members().get(i - 1), then = set.members().get(i);
                    out.add(new Constraint.Order(id + "-" + set.id() + "-" + first + "-" + then, first, set.action(), then, set.action(), k, symmetrical, true));
                }
            }
            if (last != null) {
                // require-all=false: any one member of the set before is enough (Pacemaker's one-or-more:SET)
                boolean anyOne = !last.requireAll() && last.members().size() > 1;
                List<String> firsts = last.sequential() && !anyOne ? List.of(last.members().get(last.members().size() - 1)) : last.members();
                List<String> thens = set.sequential() ? List.of(set.members().get(0)) : set.members();
                for (String first : firsts) {
                    for (String then : thens) {
                        out.add(new Constraint.Order(id + "-" + last.id() + "-" + first + "-" + set.id() + "-" + then, first, last.action(),
                                then, set.action(), kind, symmetrical, true, anyOne ? "one-or-more:" + last.id() : null));
                    }
                }
            }
            if (!set.members().isEmpty()) last = set;
        }
        return out;
    }

    /** The colocations of an {@code rsc_colocation} with resource sets. */
    static List<Constraint.Colocation> colocations(String id, List<Set> sets, Score score) {
        List<Constraint.Colocation> out = new ArrayList<>();
        Set last = null;
        for (Set set : sets) {
            Score local = set.score() == null ? score : set.score();
            if (set.sequential()) {
                // ordering="listed" reads the set the other way round: each member is placed with the one after it
                List<String> members = new ArrayList<>(set.members());
                if (set.listed()) java.util.Collections.reverse(members);
                for (int i = 1; i < members.size(); i++) {
                    String rsc = members.get(i);
                    // a chain keeps only neighbours apart; a negative score keeps every member from every one before it
                    for (int j = local.value() < 0 ? 0 : i - 1; j < i; j++) {
                        String with = members.get(j);
                        out.add(new Constraint.Colocation(id + "-" + set.id() + "-" + rsc + "-" + with, rsc, with, local, set.role(), set.role()));
                    }
                }
            }
            if (last != null) {
                List<String> dependents = last.sequential() ? List.of(last.members().get(0)) : last.members();
                List<String> primaries = set.sequential() ? List.of(set.members().get(set.members().size() - 1)) : set.members();
                for (String rsc : dependents) {
                    for (String with : primaries) {
                        out.add(new Constraint.Colocation(id + "-" + last.id() + "-" + rsc + "-" + set.id() + "-" + with, rsc, with, score,
                                last.role(), set.role()));
                    }
                }
            }
            if (!set.members().isEmpty()) last = set;
        }
        return out;
    }
}
