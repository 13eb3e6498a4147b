package vigil.api.model;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import vigil.api.ConfigException;

/** Parses durations the way Pacemaker and YAML users write them: {@code 20}, {@code 20s}, {@code 500ms}, {@code 5min}, {@code 2h}, {@code PT1M}. */
public final class Durations {
    private Durations() {}

    public static Duration parse(String field, String text) {
        if (text == null || text.isBlank()) {
            throw new ConfigException(field, "duration is empty", "write e.g. 20s, 500ms, 5min or 1h");
        }
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("pt") || t.startsWith("p")) return Duration.parse(t.toUpperCase(Locale.ROOT));
            int i = 0;
            while (i < t.length() && (Character.isDigit(t.charAt(i)))) i++;
            if (i == 0) throw new NumberFormatException(t);
            long n = Long.parseLong(t.substring(0, i));
            String unit = t.substring(i).trim();
            return switch (unit) {
                case "", "s", "sec", "secs", "second", "seconds" -> Duration.ofSeconds(n);
                case "ms", "msec", "msecs" -> Duration.ofMillis(n);
                case "us", "usec", "usecs" -> Duration.ofNanos(n * 1000);
                case "m", "min", "mins", "minute", "minutes" -> Duration.ofMinutes(n);
                case "h", "hr", "hrs", "hour", "hours" -> Duration.ofHours(n);
                case "d", "day", "days" -> Duration.ofDays(n);
                default -> throw new NumberFormatException(t);
            };
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new ConfigException(field, "invalid duration \"" + text + "\"", "write e.g. 20s, 500ms, 5min or 1h");
        }
    }

    /** Formats as the shortest of ms / s / min / h that is exact, e.g. {@code 1500ms}, {@code 20s}, {@code 5min}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms == 0) return "0s";
        if (ms % 3_600_000 == 0) return (ms / 3_600_000) + "h";
        if (ms % 60_000 == 0) return (ms / 60_000) + "min";
        if (ms % 1000 == 0) return (ms / 1000) + "s";
        return ms + "ms";
    }
}
