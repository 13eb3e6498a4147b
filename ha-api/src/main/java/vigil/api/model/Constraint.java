package vigil.api.model;

import java.time.Instant;
import java.util.Objects;

/** Placement and ordering rules, as in Pacemaker. */
public sealed interface Constraint permits Constraint.Location, Constraint.Colocation, Constraint.Order {
    String id();

    /**
     * Prefer ({@code score > 0}), avoid, require (INFINITY) or forbid (-INFINITY) {@code node} for {@code resource}.
     * {@code role} limits it to one role of a promotable clone (null: any). {@code expires} (null: never) is set by
     * {@code move} and {@code ban}, so no forgotten constraint pins a resource forever.
     */
    record Location(String id, String resource, String node, Score score, Role role, Instant expires) implements Constraint {
        public Location {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(score, "score");
        }

        public Location(String id, String resource, String node, Score score) { this(id, resource, node, score, null, null); }

        public boolean expiredAt(Instant now) { return expires != null && !now.isBefore(expires); }
    }

    /**
     * Place {@code resource} relative to {@code withResource}: together (score > 0), apart (score < 0);
     * mandatory at +/-INFINITY. Roles select instances of promotable clones (null: any active role).
     */
    record Colocation(String id, String resource, String withResource, Score score, Role role, Role withRole) implements Constraint {
        public Colocation {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(resource, "resource");
            Objects.requireNonNull(withResource, "withResource");
            Objects.requireNonNull(score, "score");
        }

        public Colocation(String id, String resource, String withResource, Score score) {
            this(id, resource, withResource, score, null, null);
        }
    }

    /**
     * {@code thenAction} of {@code then} happens after {@code firstAction} of {@code first}; symmetrical ones also reverse
     * for stops. With {@code requireAll} false and a clone as {@code first}, one active instance of it is enough
     * (Pacemaker's require-all=false).
     *
     * @param anyOf null, or the name of a resource set with require-all=false that {@code first} belongs to: the orders
     *              naming the same set need only one of their firsts ({@code then} waits for any one of them)
     */
    record Order(String id, String first, Action firstAction, String then, Action thenAction, OrderKind kind, boolean symmetrical,
                 boolean requireAll, String anyOf) implements Constraint {
        public Order {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(first, "first");
            Objects.requireNonNull(then, "then");
            firstAction = firstAction == null ? Action.START : firstAction;
            thenAction = thenAction == null ? firstAction : thenAction;
            kind = kind == null ? OrderKind.MANDATORY : kind;
        }

        public Order(String id, String first, Action firstAction, String then, Action thenAction, OrderKind kind, boolean symmetrical,
                     boolean requireAll) {
            this(id, first, firstAction, then, thenAction, kind, symmetrical, requireAll, null);
        }

        public Order(String id, String first, Action firstAction, String then, Action thenAction, OrderKind kind, boolean symmetrical) {
            this(id, first, firstAction, then, thenAction, kind, symmetrical, true);
        }

        public Order(String id, String first, String then) { this(id, first, Action.START, then, Action.START, OrderKind.MANDATORY, true); }
    }
}
