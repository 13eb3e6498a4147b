package vigil.engine.controller;

import java.util.HashSet;
import java.util.Set;
import vigil.api.model.Clone;
import vigil.api.model.ClusterConfig;
import vigil.api.model.Constraint;
import vigil.engine.scheduler.ActionKind;

/**
 * What a live-migrating resource needs: the resources it is colocated with or ordered after, matched through the groups
 * and clones that contain them (a constraint names {@code vm1-disk}, an action its primitive {@code vm1-drbd}).
 *
 * <p>While a migration is in flight the controller sends no action on those (see {@code Controller.heldBecause}): the
 * plan that sent the migration counted on them where it goes, and a plan made meanwhile does not know that the resource
 * is becoming active there (a migrate_to is recorded on the source only when it reports back), so it may demote or stop
 * what the migrating resource is about to run on. Pacemaker has no such gap: it starts no action of a new transition
 * while actions of the previous one are in flight.
 */
final class MigrationNeeds {
    private MigrationNeeds() {}

    /** Whether {@code migrating} is colocated with, or ordered after, {@code resource} (both primitive ids). */
    static boolean needs(ClusterConfig config, String migrating, String resource) {
        Set<String> dependent = enclosing(config, migrating);
        Set<String> needed = enclosing(config, resource);
        if (dependent.equals(needed)) return false;
        for (Constraint c : config.constraints()) {
            if (c instanceof Constraint.Colocation col && dependent.contains(col.resource()) && needed.contains(col.withResource())) return true;
            if (c instanceof Constraint.Order o && dependent.contains(o.then()) && needed.contains(o.first())) return true;
        }
        return false;
    }

    /** The ids a constraint may name {@code primitive} by: its own, its group's, its clone's. */
    private static Set<String> enclosing(ClusterConfig config, String primitive) {
        String id = withoutInstance(config, primitive);
        Set<String> ids = new HashSet<>();
        ids.add(id);
        config.topLevelOf(id).ifPresent(top -> {
            ids.add(top.id());
            if (top instanceof Clone c) ids.add(c.child().id()); // the primitive itself, or the group holding it
        });
        return ids;
    }

    /** An instance of a unique clone ({@code db:1}) as its configured primitive ({@code db}). */
    private static String withoutInstance(ClusterConfig config, String id) {
        int colon = id.lastIndexOf(':');
        if (colon <= 0 || config.topLevelOf(id).isPresent() || !id.substring(colon + 1).chars().allMatch(Character::isDigit)) return id;
        return id.substring(0, colon);
    }

    /** Whether {@code action} (as sent: {@link ActionKind#text()}) is one half of a live migration. */
    static boolean isMigration(String action) {
        return action.equals(ActionKind.MIGRATE_TO.text()) || action.equals(ActionKind.MIGRATE_FROM.text());
    }
}
