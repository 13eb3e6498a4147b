package vigil.storage;

import vigil.api.ConfigException;

/**
 * DRBD's {@code fencing} net option. With {@code resource-only} the Primary that loses its peer calls the
 * {@code fence-peer} handler and the cluster must never promote the peer until it resynced (what Pacemaker's
 * crm-fence-peer does with a constraint); {@code resource-and-stonith} also freezes I/O until the handler returns.
 */
public enum FencingPolicy {
    DONT_CARE("dont-care"), RESOURCE_ONLY("resource-only"), RESOURCE_AND_STONITH("resource-and-stonith");

    private final String keyword;

    FencingPolicy(String keyword) { this.keyword = keyword; }

    public String keyword() { return keyword; }

    public boolean fences() { return this != DONT_CARE; }

    public static FencingPolicy parse(String field, String text) {
        for (FencingPolicy p : values()) if (p.keyword.equals(text)) return p;
        throw new ConfigException(field, "unknown fencing policy \"" + text + "\"", "use dont-care, resource-only or resource-and-stonith");
    }
}
