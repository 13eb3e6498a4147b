package vigil.engine.scheduler;

import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SortedSet;

/**
 * The ids a {@link PlannedAction} waits for: an immutable sorted set over an array of ints. A plan of tens of
 * thousands of actions built a tree of boxed ids per action and then copied it into another; this holds them in a
 * range of an array of ints (the transition builder's one for all actions), and {@link PlannedAction} keeps it as it
 * is. Equal to, and printed like, any other set of the same ids.
 */
final class ActionIds extends AbstractSet<Integer> implements SortedSet<Integer> {
    private final int[] ids;
    private final int from;
    private final int to;

    private ActionIds(int[] ids, int from, int to) {
        this.ids = ids;
        this.from = from;
        this.to = to;
    }

    private static final ActionIds NONE = new ActionIds(new int[0], 0, 0);

    /** The set of {@code ids} (sorted here; the array must not be changed afterwards). */
    static ActionIds of(int[] ids) { return of(ids, 0, ids.length); }

    /**
     * The set of {@code ids[from .. to)} (sorted here; that range must not be changed afterwards). The transition
     * builder keeps all actions' ids in one array, a range each.
     */
    static ActionIds of(int[] ids, int from, int to) {
        if (from == to) return NONE;
        Arrays.sort(ids, from, to);
        int kept = from;
        for (int i = from; i < to; i++) if (kept == from || ids[i] != ids[kept - 1]) ids[kept++] = ids[i];
        return new ActionIds(ids, from, kept);
    }

    @Override
    public int size() { return to - from; }

    @Override
    public boolean contains(Object o) {
        return o instanceof Integer i && Arrays.binarySearch(ids, from, to, i) >= 0;
    }

    @Override
    public Iterator<Integer> iterator() {
        return new Iterator<>() {
            private int next = from;

            @Override
            public boolean hasNext() { return next < to; }

            @Override
            public Integer next() {
                if (next >= to) throw new NoSuchElementException();
                return ids[next++];
            }
        };
    }

    @Override
    public Comparator<? super Integer> comparator() { return null; }

    @Override
    public SortedSet<Integer> subSet(Integer fromElement, Integer toElement) {
        if (fromElement > toElement) throw new IllegalArgumentException("fromElement > toElement");
        return new ActionIds(ids, position(fromElement), Math.max(position(fromElement), position(toElement)));
    }

    @Override
    public SortedSet<Integer> headSet(Integer toElement) { return new ActionIds(ids, from, position(toElement)); }

    @Override
    public SortedSet<Integer> tailSet(Integer fromElement) { return new ActionIds(ids, position(fromElement), to); }

    /** Where {@code id} is or would be within this range. */
    private int position(int id) {
        int i = Arrays.binarySearch(ids, from, to, id);
        return i >= 0 ? i : -i - 1;
    }

    @Override
    public Integer first() {
        if (from == to) throw new NoSuchElementException();
        return ids[from];
    }

    @Override
    public Integer last() {
        if (from == to) throw new NoSuchElementException();
        return ids[to - 1];
    }
}
