package vigil.engine.scheduler;

import java.util.Comparator;
import java.util.List;

/**
 * A stable top-down merge sort that splits a list of n in floor(n/2) and the rest and takes from the left half on
 * ties. Pacemaker sorts nodes and instances this way (GLib's list sort), and some of its comparisons are not
 * transitive (an instance comparison can call two instances equal that a third one orders differently): the result
 * then depends on the algorithm, so the scheduler uses the same one. Java's sort would reject such comparators.
 * It runs once per resource over every node, so it sorts in one scratch array instead of allocating lists per merge.
 */
final class ListSort {
    private ListSort() {}

    @SuppressWarnings("unchecked")
    static <T> void sort(List<T> list, Comparator<? super T> cmp) {
        int n = list.size();
        if (n < 2) return;
        Object[] a = list.toArray();
        sort(a, new Object[n], 0, n, (Comparator<Object>) cmp);
        for (int i = 0; i < n; i++) list.set(i, (T) a[i]);
    }

    /** Sorts a[from, to), the same splits and merges as the list version: left half first on ties. */
    private static void sort(Object[] a, Object[] scratch, int from, int to, Comparator<Object> cmp) {
        int n = to - from;
        if (n < 2) return;
        int mid = from + n / 2;
        sort(a, scratch, from, mid, cmp);
        sort(a, scratch, mid, to, cmp);
        System.arraycopy(a, from, scratch, from, n);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) a[k++] = cmp.compare(scratch[i], scratch[j]) <= 0 ? scratch[i++] : scratch[j++];
        while (i < mid) a[k++] = scratch[i++];
        while (j < to) a[k++] = scratch[j++];
    }
}
