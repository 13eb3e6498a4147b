package vigil.engine.scheduler;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;

/**
 * The nodes a resource is active on: mostly one or none, so the first is held in the list itself. Every pass over the
 * running resources reads it; with an array of its own, each read waited for one more object to come from memory.
 * Nodes are only added (a resource's nodes are settled by the status), compared by identity.
 */
final class NodeList extends AbstractList<SchedNode> implements RandomAccess {
    private static final SchedNode[] NONE = new SchedNode[0];
    private SchedNode first;
    /** The nodes after the first. */
    private SchedNode[] rest = NONE;
    private int size;

    @Override
    public SchedNode get(int index) {
        Objects.checkIndex(index, size);
        return index == 0 ? first : rest[index - 1];
    }

    @Override
    public int size() { return size; }

    @Override
    public boolean isEmpty() { return size == 0; }

    @Override
    public boolean add(SchedNode node) {
        if (size == 0) {
            first = node;
        } else {
            if (size - 1 == rest.length) rest = Arrays.copyOf(rest, Math.max(2, 2 * rest.length));
            rest[size - 1] = node;
        }
        size++;
        modCount++;
        return true;
    }

    @Override
    public int indexOf(Object node) {
        for (int i = 0; i < size; i++) if (get(i) == node) return i;
        return -1;
    }

    @Override
    public boolean contains(Object node) { return indexOf(node) >= 0; }
}
