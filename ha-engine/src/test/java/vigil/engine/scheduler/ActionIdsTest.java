package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.NoSuchElementException;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class ActionIdsTest {
    @Test
    void behavesLikeATreeSetOfTheSameIds() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            int[] ids = new int[rnd.nextInt(8)];
            TreeSet<Integer> expected = new TreeSet<>();
            for (int i = 0; i < ids.length; i++) expected.add(ids[i] = rnd.nextInt(20));
            SortedSet<Integer> actual = ActionIds.of(ids);
            assertEquals(expected, actual);
            assertEquals(actual, expected);
            assertEquals(expected.hashCode(), actual.hashCode());
            assertEquals(expected.toString(), actual.toString());
            assertEquals(List.copyOf(expected), List.copyOf(actual));
            for (int id = -1; id <= 21; id++) assertEquals(expected.contains(id), actual.contains(id));
            int a = rnd.nextInt(21), b = a + rnd.nextInt(5);
            assertEquals(expected.subSet(a, b), actual.subSet(a, b));
            assertEquals(expected.headSet(a), actual.headSet(a));
            assertEquals(expected.tailSet(a), actual.tailSet(a));
            if (!expected.isEmpty()) {
                assertEquals(expected.first(), actual.first());
                assertEquals(expected.last(), actual.last());
            }
        }
    }

    @Test
    void aRangeOfASharedArrayIsTheSetOfItsIdsAlone() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int round = 0; round < 200; round++) {
            int[] ids = new int[rnd.nextInt(12)];
            for (int i = 0; i < ids.length; i++) ids[i] = rnd.nextInt(20);
            int from = rnd.nextInt(ids.length + 1), to = from + rnd.nextInt(ids.length - from + 1);
            TreeSet<Integer> expected = new TreeSet<>();
            for (int i = from; i < to; i++) expected.add(ids[i]);
            int[] outside = new int[ids.length];
            for (int i = 0; i < ids.length; i++) outside[i] = i < from || i >= to ? ids[i] : -1;
            SortedSet<Integer> actual = ActionIds.of(ids, from, to);
            assertEquals(expected, actual);
            assertEquals(expected.toString(), actual.toString());
            for (int id = -1; id <= 21; id++) assertEquals(expected.contains(id), actual.contains(id));
            int a = rnd.nextInt(21), b = a + rnd.nextInt(5);
            assertEquals(expected.subSet(a, b), actual.subSet(a, b));
            assertEquals(expected.headSet(a), actual.headSet(a));
            assertEquals(expected.tailSet(a), actual.tailSet(a));
            for (int i = 0; i < ids.length; i++) if (i < from || i >= to) assertEquals(outside[i], ids[i], "outside the range");
        }
    }

    @Test
    void isImmutable_andAnEmptyOneHasNoFirst() {
        SortedSet<Integer> ids = ActionIds.of(new int[] {2, 1});
        assertThrows(UnsupportedOperationException.class, () -> ids.add(3));
        assertThrows(UnsupportedOperationException.class, () -> ids.remove(1));
        assertThrows(NoSuchElementException.class, () -> ActionIds.of(new int[0]).first());
        assertTrue(ids.headSet(1).isEmpty());
    }
}
