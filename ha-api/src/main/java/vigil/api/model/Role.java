package vigil.api.model;

import java.util.Locale;
import vigil.api.ConfigException;

/** A resource's role, as in Pacemaker (Master / Slave are accepted as the old names of Promoted / Unpromoted). */
public enum Role {
    STOPPED("Stopped"), STARTED("Started"), UNPROMOTED("Unpromoted"), PROMOTED("Promoted");

    private final String text;

    Role(String text) { this.text = text; }

    public String text() { return text; }

    /** Active in any role. */
    public boolean isActive() { return this != STOPPED; }

    public static Role parse(String field, String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "stopped": return STOPPED;
            case "started": return STARTED;
            case "unpromoted": case "slave": return UNPROMOTED;
            case "promoted": case "master": return PROMOTED;
            default:
                throw new ConfigException(field, "unknown role \"" + value + "\"", "use Stopped, Started, Unpromoted or Promoted");
        }
    }

    @Override
    public String toString() { return text; }
}
