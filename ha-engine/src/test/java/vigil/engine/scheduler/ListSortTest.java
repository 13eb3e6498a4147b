package vigil.engine.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ListSortTest {
    /** GLib's g_list_sort as a list recursion: split floor(n/2) / rest, merge taking the left on ties. */
    private static <T> List<T> reference(List<T> list, Comparator<? super T> cmp) {
        int n = list.size();
        if (n < 2) return list;
        List<T> left = reference(new ArrayList<>(list.subList(0, n / 2)), cmp);
        List<T> right = reference(new ArrayList<>(list.subList(n / 2, n)), cmp);
        List<T> out = new ArrayList<>(n);
        int i = 0, j = 0;
        while (i < left.size() && j < right.size()) out.add(cmp.compare(left.get(i), right.get(j)) <= 0 ? left.get(i++) : right.get(j++));
        while (i < left.size()) out.add(left.get(i++));
        while (j < right.size()) out.add(right.get(j++));
        return out;
    }

    @Test
    void sameOrderAsGlibsListSort_alsoForComparatorsThatAreNotTransitive() {
        SplittableRandom rnd = new SplittableRandom(7);
        // "equal" when within 2 of each other, else by value: not transitive (1 ~ 3 ~ 5 but 1 < 5)
        Comparator<int[]> fuzzy = (a, b) -> Math.abs(a[0] - b[0]) <= 2 ? 0 : Integer.compare(a[0], b[0]);
        Comparator<int[]> strict = Comparator.comparingInt(a -> a[0]);
        for (int round = 0; round < 500; round++) {
            int n = rnd.nextInt(0, 150);
            List<int[]> items = new ArrayList<>();
            for (int i = 0; i < n; i++) items.add(new int[] {rnd.nextInt(0, 40), i});
            for (Comparator<int[]> cmp : List.of(fuzzy, strict)) {
                List<int[]> sorted = new ArrayList<>(items);
                ListSort.sort(sorted, cmp);
                assertEquals(ids(reference(new ArrayList<>(items), cmp)), ids(sorted), "round " + round);
            }
        }
    }

    private static List<Integer> ids(List<int[]> items) { return items.stream().map(a -> a[1]).toList(); }
}
