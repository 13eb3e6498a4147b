package vigil.fencing.log;

import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.helpers.MessageFormatter;
import vigil.api.model.Secrets;

/**
 * Logs a fence device's records with its secret values masked in the whole formatted message, fixed text included:
 * an agent's output can echo a password, and a short password can match any word of the message.
 */
public final class ScrubbingLogger {
    private final Logger log;

    private ScrubbingLogger(Logger log) { this.log = log; }

    public static ScrubbingLogger of(Class<?> owner) { return new ScrubbingLogger(LoggerFactory.getLogger(owner)); }

    /** {@code format} with SLF4J's {@code {}} placeholders; nothing is formatted when {@code level} is off. */
    public void log(Level level, Map<String, String> secrets, String format, Object... args) {
        if (!log.isEnabledForLevel(level)) return;
        log.atLevel(level).log(Secrets.scrub(MessageFormatter.basicArrayFormat(format, args), secrets));
    }
}
