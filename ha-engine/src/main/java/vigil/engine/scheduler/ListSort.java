package vigil.engine.scheduler;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A stable top-down merge sort that splits a list of n in floor(n/2) and the rest and takes from the left half on
 * ties. Pacemaker sorts nodes and instances this way (GLib's list sort), and some of its comparisons are not
 * transitive (an instance comparison can call two instances equal that a third one orders differently): the result
 * then depends on the algorithm, so the scheduler uses the same one. Java's sort would reject such comparators.
 */
final class ListSort {
    private ListSort() {}

    static <T> void sort(List<T> list, Comparator<? super T> cmp) {
        if (list.size() < 2) return;
        List<T> sorted = sorted(new ArrayList<>(list), cmp);
        for (int i = 0; i < sorted.size(); i++) list.set(i, sorted.get(i));
    }

    private static <T> List<T> sorted(List<T> list, Comparator<? super T> cmp) {
        int n = list.size();
        if (n < 2) return list;
        int half = n / 2;
        List<T> left = sorted(new ArrayList<>(list.subList(0, half)), cmp);
        List<T> right = sorted(new ArrayList<>(list.subList(half, n)), cmp);
        List<T> out = new ArrayList<>(n);
        int i = 0, j = 0;
        while (i < left.size() && j < right.size()) {
            if (cmp.compare(left.get(i), right.get(j)) <= 0) out.add(left.get(i++));
            else out.add(right.get(j++));
        }
        while (i < left.size()) out.add(left.get(i++));
        while (j < right.size()) out.add(right.get(j++));
        return out;
    }
}
