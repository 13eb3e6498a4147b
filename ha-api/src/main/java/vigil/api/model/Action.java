package vigil.api.model;

import java.util.Locale;
import vigil.api.ConfigException;

/** The actions an order constraint can name. */
public enum Action {
    START("start"), STOP("stop"), PROMOTE("promote"), DEMOTE("demote");

    private final String text;

    Action(String text) { this.text = text; }

    public String text() { return text; }

    public static Action parse(String field, String value) {
        for (Action a : values()) if (a.text.equals(value.trim().toLowerCase(Locale.ROOT))) return a;
        throw new ConfigException(field, "unknown action \"" + value + "\"", "use start, stop, promote or demote");
    }

    @Override
    public String toString() { return text; }
}
