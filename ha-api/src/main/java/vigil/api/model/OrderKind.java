package vigil.api.model;

import java.util.Locale;
import vigil.api.ConfigException;

/** Pacemaker's order kinds: Mandatory (then waits for first), Optional (only when both act), Serialize (never at once). */
public enum OrderKind {
    MANDATORY, OPTIONAL, SERIALIZE;

    public static OrderKind parse(String field, String value) {
        for (OrderKind k : values()) if (k.name().equals(value.trim().toUpperCase(Locale.ROOT))) return k;
        throw new ConfigException(field, "unknown order kind \"" + value + "\"", "use Mandatory, Optional or Serialize");
    }
}
