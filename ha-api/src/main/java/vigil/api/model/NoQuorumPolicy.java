package vigil.api.model;

import java.util.Locale;
import vigil.api.ConfigException;

/** What a partition without quorum does with its resources. */
public enum NoQuorumPolicy {
    STOP, FREEZE, IGNORE, DEMOTE, SUICIDE;

    public String text() { return name().toLowerCase(Locale.ROOT); }

    public static NoQuorumPolicy parse(String field, String value) {
        for (NoQuorumPolicy p : values()) if (p.text().equals(value.trim().toLowerCase(Locale.ROOT))) return p;
        throw new ConfigException(field, "unknown no-quorum-policy \"" + value + "\"", "use stop, freeze, ignore, demote or suicide");
    }
}
