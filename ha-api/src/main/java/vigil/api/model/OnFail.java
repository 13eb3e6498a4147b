package vigil.api.model;

import java.util.Locale;
import vigil.api.ConfigException;

/** What to do when an operation fails (Pacemaker's on-fail). */
public enum OnFail {
    RESTART, STOP, FENCE, BLOCK, IGNORE, STANDBY;

    public String text() { return name().toLowerCase(Locale.ROOT); }

    public static OnFail parse(String field, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("restart-container")) v = "restart";
        for (OnFail f : values()) if (f.text().equals(v)) return f;
        throw new ConfigException(field, "unknown on-fail \"" + value + "\"", "use restart, stop, fence, block, ignore or standby");
    }
}
