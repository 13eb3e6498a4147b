package vigil.storage;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resource-level fencing marks: "node N's copy of resource R is outdated, never promote it until it resynced".
 * What Pacemaker's crm-fence-peer / crm-unfence-peer do with a location constraint. The controller on the Primary
 * sets a mark when it loses the replication link ({@link FencingMonitor}); promote and the promotion score honour it.
 * An embedding application backs this with replicated cluster state so every node sees the same marks.
 */
public interface PeerFencing {
    void outdate(String resource, String node, String reason);

    void clear(String resource, String node);

    boolean isOutdated(String resource, String node);

    /** Marks kept in this JVM (tests, single-process clusters). */
    static PeerFencing inMemory() {
        return new PeerFencing() {
            private final Map<String, Set<String>> marks = new ConcurrentHashMap<>();

            @Override
            public void outdate(String resource, String node, String reason) {
                marks.computeIfAbsent(resource, r -> ConcurrentHashMap.newKeySet()).add(node);
            }

            @Override
            public void clear(String resource, String node) {
                Set<String> s = marks.get(resource);
                if (s != null) s.remove(node);
            }

            @Override
            public boolean isOutdated(String resource, String node) {
                Set<String> s = marks.get(resource);
                return s != null && s.contains(node);
            }
        };
    }
}
