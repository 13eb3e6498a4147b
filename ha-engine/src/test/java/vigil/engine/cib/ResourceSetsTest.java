package vigil.engine.cib;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import vigil.api.model.Action;
import vigil.api.model.Constraint;
import vigil.api.model.OrderKind;
import vigil.api.model.Role;
import vigil.api.model.Score;

class ResourceSetsTest {

    static ResourceSets.Set set(String id, boolean sequential, String... members) {
        return new ResourceSets.Set(id, List.of(members), sequential, true, Action.START, null, null, null, false);
    }

    static List<String> pairs(List<? extends Constraint> cs) {
        return cs.stream().map(c -> c instanceof Constraint.Order o ? o.first() + ">" + o.then()
                : ((Constraint.Colocation) c).resource() + "@" + ((Constraint.Colocation) c).withResource()).toList();
    }

    @Test
    void orders_sequentialSets_chainInsideAndLastBeforeFirstBetween() {
        List<Constraint.Order> o = ResourceSets.orders("o", List.of(set("s1", true, "A", "B"), set("s2", true, "C", "D")), OrderKind.MANDATORY, true);
        assertEquals(List.of("A>B", "C>D", "B>C"), pairs(o));
        assertEquals(3, o.stream().map(Constraint.Order::id).distinct().count(), "unique ids " + o);
    }

    @Test
    void orders_nonSequentialSets_everyMemberOfOneBeforeTheNext() {
        assertEquals(List.of("A>C", "A>D", "B>C", "B>D"),
                pairs(ResourceSets.orders("o", List.of(set("s1", false, "A", "B"), set("s2", false, "C", "D")), OrderKind.MANDATORY, true)));
        assertEquals(List.of("C>D", "A>C", "B>C"),
                pairs(ResourceSets.orders("o", List.of(set("s1", false, "A", "B"), set("s2", true, "C", "D")), OrderKind.MANDATORY, true)));
    }

    @Test
    void orders_afterASetWithRequireAllFalse_anyOneOfItsMembersIsEnough() {
        var any = new ResourceSets.Set("s1", List.of("B", "C"), false, false, Action.START, null, null, null, false);
        List<Constraint.Order> o = ResourceSets.orders("o", List.of(set("s0", true, "A"), any, set("s2", true, "D")), OrderKind.MANDATORY, true);
        assertEquals(List.of("A>B", "A>C", "B>D", "C>D"), pairs(o));
        assertEquals(List.of("one-or-more:s1", "one-or-more:s1"), o.subList(2, 4).stream().map(Constraint.Order::anyOf).toList());
        assertEquals(null, o.get(0).anyOf(), "what comes before the set is ordered as usual");
    }

    @Test
    void orders_setAction_appliesToItsMembers() {
        var promote = new ResourceSets.Set("s1", List.of("M"), true, true, Action.PROMOTE, null, null, null, false);
        Constraint.Order o = ResourceSets.orders("o", List.of(promote, set("s2", true, "V")), OrderKind.MANDATORY, true).get(0);
        assertEquals(Action.PROMOTE, o.firstAction());
        assertEquals(Action.START, o.thenAction());
    }

    @Test
    void colocations_sequentialSet_eachWithTheOneBefore_setsWithTheNextSet() {
        List<Constraint.Colocation> c = ResourceSets.colocations("c", List.of(set("s1", true, "A", "B"), set("s2", true, "C", "D")), Score.INFINITY);
        assertEquals(List.of("B@A", "D@C", "A@D"), pairs(c), "the first of a set with the last of the next");
        assertEquals(List.of("A@C", "A@D", "B@C", "B@D"),
                pairs(ResourceSets.colocations("c", List.of(set("s1", false, "A", "B"), set("s2", false, "C", "D")), Score.INFINITY)));
    }

    @Test
    void colocations_negativeScore_everyMemberAwayFromEveryOneBefore() {
        assertEquals(List.of("B@A", "C@A", "C@B"), pairs(ResourceSets.colocations("c", List.of(set("s", true, "A", "B", "C")), Score.MINUS_INFINITY)));
    }

    @Test
    void colocations_orderingListed_eachWithTheOneAfter_roleAndScoreOfTheSet() {
        var listed = new ResourceSets.Set("s", List.of("A", "B", "C"), true, true, Action.START, Role.PROMOTED, Score.of(50), null, true);
        List<Constraint.Colocation> c = ResourceSets.colocations("c", List.of(listed), Score.INFINITY);
        assertEquals(List.of("B@C", "A@B"), pairs(c));
        assertEquals(Score.of(50), c.get(0).score());
        assertEquals(Role.PROMOTED, c.get(0).role());
    }
}
