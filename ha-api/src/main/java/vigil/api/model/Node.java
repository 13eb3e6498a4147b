package vigil.api.model;

import java.util.Map;
import java.util.Objects;

/**
 * A cluster node. {@code address} is its Raft {@code host:port}; {@code attributes} are free-form node
 * attributes (for example {@code libvirt-uri} for live migration targets).
 */
public record Node(String id, String address, NodeRole role, Map<String, String> attributes) {
    public Node {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(address, "address");
        role = role == null ? NodeRole.MEMBER : role;
        attributes = Maps.sorted(attributes);
    }

    public static Node member(String id, String address) { return new Node(id, address, NodeRole.MEMBER, Map.of()); }

    public static Node witness(String id, String address) { return new Node(id, address, NodeRole.WITNESS, Map.of()); }

    public boolean runsResources() { return role == NodeRole.MEMBER; }
}
