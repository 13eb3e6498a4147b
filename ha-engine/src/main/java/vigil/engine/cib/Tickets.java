package vigil.engine.cib;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import vigil.api.model.Role;

/**
 * A CIB's tickets ({@code rsc_ticket} constraints and the {@code ticket_state} of the status section), resolved into
 * what Pacemaker 2.1 derives from them when it reads the CIB. Vigil has no ticket manager (booth): a ticket is only
 * read from an imported CIB, and what it means for this one transition is expressed with the scheduler's own inputs -
 * a ban, a ban of the promoted role, a node to fence, a resource left alone.
 *
 * <p>As "Pacemaker Explained" describes tickets, for a resource that depends on a ticket:
 * <ul>
 * <li>granted and not in standby: no effect;</li>
 * <li>not granted (revoked, or never granted) while the resource is active: its {@code loss-policy} applies -
 *     {@code stop} bans the resource from every node (even where the dependency names the promoted role only);
 *     {@code demote} bans the promoted role when the dependency is on it, else acts like stop; {@code fence} fences the
 *     nodes where the resource is active in the dependency's role ("deadman ticket was lost") and bans like demote;
 *     {@code freeze} leaves the resource alone where it is (no start, stop, promotion or demotion);</li>
 * <li>not granted while the resource is inactive: it may not start in the dependency's role (the promoted role only
 *     for a dependency on it, unless loss-policy is stop);</li>
 * <li>granted but in standby (the ticket being handed over): the same, whatever the resource's activity and without
 *     fencing or freezing.</li>
 * </ul>
 */
final class Tickets {
    static final String FENCE_REASON = "deadman ticket was lost";

    enum LossPolicy {
        STOP, DEMOTE, FENCE, FREEZE;

        /** The policy {@code value} names (empty: stop), or null when it names none. */
        static LossPolicy parse(String value) {
            return switch (value.isEmpty() ? "stop" : value.toLowerCase(Locale.ROOT)) {
                case "stop" -> STOP;
                case "demote" -> DEMOTE;
                case "fence" -> FENCE;
                case "freeze" -> FREEZE;
                default -> null;
            };
        }
    }

    /** {@code resource} (any configured id) needs {@code ticket} to be active in {@code role} (promoted, or any when null). */
    record Dependency(String id, String resource, String ticket, Role role, LossPolicy lossPolicy) {
        boolean onPromotedRole() { return role == Role.PROMOTED; }
    }

    record State(boolean granted, boolean standby) {
        static final State NEVER_GRANTED = new State(false, false);
    }

    /** What a dependency does to its resource in this transition. */
    enum Effect { NONE, BAN, BAN_PROMOTED_ROLE, FREEZE }

    /** The result of one dependency: the effect on the resource and the nodes to fence. */
    record Outcome(Effect effect, Set<String> fence) {}

    private Tickets() {}

    /**
     * The outcome of {@code d}, given the ticket states and, for the dependency's resource, the nodes where it is active
     * in any role ({@code activeOn}) and in the promoted role ({@code promotedOn}).
     */
    static Outcome resolve(Dependency d, Map<String, State> states, Set<String> activeOn, Set<String> promotedOn) {
        State s = states.getOrDefault(d.ticket(), State.NEVER_GRANTED);
        Effect ban = d.onPromotedRole() && d.lossPolicy() != LossPolicy.STOP ? Effect.BAN_PROMOTED_ROLE : Effect.BAN;
        if (s.granted()) return new Outcome(s.standby() ? ban : Effect.NONE, Set.of());
        if (activeOn.isEmpty()) return new Outcome(ban, Set.of());
        return switch (d.lossPolicy()) {
            case STOP, DEMOTE -> new Outcome(ban, Set.of());
            case FENCE -> new Outcome(ban, new LinkedHashSet<>(d.onPromotedRole() ? promotedOn : activeOn));
            case FREEZE -> new Outcome(Effect.FREEZE, Set.of());
        };
    }
}
