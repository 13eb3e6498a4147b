package vigil.api.model;

import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** Immutable sorted copies, so that equal values iterate (and serialize) identically on every JVM. */
public final class Maps {
    private Maps() {}

    public static <V> SortedMap<String, V> sorted(Map<String, ? extends V> m) {
        if (m == null || m.isEmpty()) return Collections.emptySortedMap();
        TreeMap<String, V> copy = new TreeMap<>();
        m.forEach((k, v) -> copy.put(java.util.Objects.requireNonNull(k, "map key"), java.util.Objects.requireNonNull(v, () -> "value of " + k)));
        return Collections.unmodifiableSortedMap(copy);
    }
}
