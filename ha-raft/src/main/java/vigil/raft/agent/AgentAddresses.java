package vigil.raft.agent;

import vigil.api.model.Node;

/** Where a node's gRPC services (agent and admin API) listen: its {@code api-address} attribute, else its Raft port + 1. */
public final class AgentAddresses {
    public static final String ATTRIBUTE = "api-address";

    private AgentAddresses() {}

    public static String of(Node node) {
        String explicit = node.attributes().get(ATTRIBUTE);
        if (explicit != null && !explicit.isBlank()) return explicit;
        int colon = node.address().lastIndexOf(':');
        int port = Integer.parseInt(node.address().substring(colon + 1));
        return node.address().substring(0, colon) + ":" + (port + 1);
    }

    public static String host(String hostPort) { return hostPort.substring(0, hostPort.lastIndexOf(':')); }

    public static int port(String hostPort) { return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1)); }
}
