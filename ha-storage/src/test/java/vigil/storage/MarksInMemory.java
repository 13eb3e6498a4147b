package vigil.storage;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import vigil.api.spi.OutdatedCopies;

/** Fencing marks for unit tests of one driver; on a cluster node they are the replicated state's. */
final class MarksInMemory implements OutdatedCopies {
    private final Set<String> marks = ConcurrentHashMap.newKeySet();

    @Override
    public void mark(String resource, String node, String reason) { marks.add(resource + "@" + node); }

    @Override
    public void clear(String resource, String node) { marks.remove(resource + "@" + node); }

    @Override
    public boolean isOutdated(String resource, String node) { return marks.contains(resource + "@" + node); }
}
