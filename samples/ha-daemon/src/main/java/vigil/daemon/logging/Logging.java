package vigil.daemon.logging;

import ch.qos.logback.classic.LoggerContext;
import java.util.List;
import java.util.Locale;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import vigil.api.ConfigException;

/**
 * Logging of the daemon, the CLI and the lab's node processes: SLF4J to logback, configured by {@code logback.xml}
 * (text) or {@code vigil-logback-json.xml} (JSON lines).
 * The level and the format come from the system properties {@code vigil.log.level} / {@code vigil.log.format} or else
 * the environment ({@code VIGIL_LOG_LEVEL} / {@code VIGIL_LOG_FORMAT}); java.util.logging (gRPC, the JDK) is routed
 * into the same log; every line carries the node id once {@link #node} named it.
 */
public final class Logging {
    public static final String LEVEL_PROPERTY = "vigil.log.level";
    public static final String FORMAT_PROPERTY = "vigil.log.format";
    /** logback's own switch; its value may name a classpath resource */
    private static final String CONFIGURATION_FILE = "logback.configurationFile";
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");
    private static final List<String> FORMATS = List.of("text", "json");

    private Logging() {}

    /**
     * Settles the level and the format before anything logs (logback reads them when the first logger is made), then
     * routes java.util.logging into SLF4J. {@code defaultLevel} applies when neither the property nor the environment
     * names one: INFO for a node, WARN for a command.
     */
    public static void init(String defaultLevel) {
        String level = setting(LEVEL_PROPERTY, "VIGIL_LOG_LEVEL", defaultLevel).toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            throw new ConfigException(LEVEL_PROPERTY + " (or VIGIL_LOG_LEVEL)", "unknown level \"" + level + "\"", "use one of " + String.join(", ", LEVELS));
        }
        String format = setting(FORMAT_PROPERTY, "VIGIL_LOG_FORMAT", "text").toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(format)) {
            throw new ConfigException(FORMAT_PROPERTY + " (or VIGIL_LOG_FORMAT)", "unknown format \"" + format + "\"", "use text or json");
        }
        System.setProperty(LEVEL_PROPERTY, level);
        System.setProperty(FORMAT_PROPERTY, format);
        if (format.equals("json") && System.getProperty(CONFIGURATION_FILE) == null) System.setProperty(CONFIGURATION_FILE, "vigil-logback-json.xml");
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
    }

    /** Names this process's node on every later log line (the {@code node} property of logback.xml). */
    public static void node(String id) {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) context.putProperty("node", id);
    }

    private static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) v = System.getenv(env);
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
