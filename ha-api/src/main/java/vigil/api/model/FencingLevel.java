package vigil.api.model;

import java.util.List;
import java.util.Objects;

/**
 * One level of a node's fencing topology: every listed device must succeed for the level to succeed;
 * levels are tried in ascending {@code index} until one succeeds.
 */
public record FencingLevel(String node, int index, List<String> devices) {
    public FencingLevel {
        Objects.requireNonNull(node, "node");
        devices = List.copyOf(devices);
    }
}
