package vigil.fencing.ipmi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Argv builder and output parser for {@code ipmitool -I lanplus}. The password never goes on the command line
 * (where {@code ps} shows it): it is passed in the {@code IPMI_PASSWORD} environment variable with {@code -E}.
 */
public final class Ipmitool {
    public static final String PASSWORD_ENV = "IPMI_PASSWORD";

    private Ipmitool() {}

    /** Where and how to reach one BMC. {@code lanTimeout} and {@code retries} are ipmitool's own per-packet settings. */
    public record Target(String program, String ip, int port, String username, String privlvl, int cipher, Duration lanTimeout, int retries) {}

    public enum PowerCommand { STATUS, ON, OFF, CYCLE }

    /** With {@code passwordInEnv} false the BMC user has an empty password ({@code -P ""}), else it is read from {@link #PASSWORD_ENV}. */
    public static List<String> argv(Target t, PowerCommand command, boolean passwordInEnv) {
        List<String> a = new ArrayList<>(List.of(t.program(), "-I", "lanplus", "-H", t.ip(), "-p", Integer.toString(t.port())));
        if (!t.username().isEmpty()) a.addAll(List.of("-U", t.username()));
        if (passwordInEnv) a.add("-E");
        else a.addAll(List.of("-P", ""));
        a.addAll(List.of("-L", t.privlvl().toUpperCase(Locale.ROOT), "-C", Integer.toString(t.cipher())));
        a.addAll(List.of("-N", Long.toString(Math.max(1, t.lanTimeout().toSeconds())), "-R", Integer.toString(t.retries())));
        // -v makes ipmitool say why a session failed (wrong password vs. no answer)
        a.add("-v");
        a.addAll(List.of("chassis", "power", command.name().toLowerCase(Locale.ROOT)));
        return List.copyOf(a);
    }

    /** The power state in {@code chassis power status} output: {@code true} on, {@code false} off, empty if absent. */
    public static Optional<Boolean> parseStatus(String stdout) {
        for (String line : stdout.split("\n")) {
            String l = line.trim().toLowerCase(Locale.ROOT);
            if (l.startsWith("chassis power is on")) return Optional.of(true);
            if (l.startsWith("chassis power is off")) return Optional.of(false);
        }
        return Optional.empty();
    }

    /** Why a session or command failed, from ipmitool's verbose stderr; actionable, never containing the password. */
    public static String explain(String stderr, Target t) {
        String s = stderr.toLowerCase(Locale.ROOT);
        String where = t.ip() + ":" + t.port();
        if (s.contains("rakp 2 hmac is invalid") || s.contains("invalid integrity check")) {
            return "BMC " + where + " rejected the password of user \"" + t.username() + "\" (check password, password_file or password_env)";
        }
        if (s.contains("unauthorized name")) {
            return "BMC " + where + " does not know user \"" + t.username() + "\" (check username)";
        }
        if (s.contains("invalid role") || s.contains("insufficient privilege") || s.contains("requested privilege level exceeds")) {
            return "BMC " + where + " refused privilege level " + t.privlvl() + " for user \"" + t.username() + "\" (check privlvl)";
        }
        if (s.contains("invalid authentication algorithm") || s.contains("invalid integrity algorithm") || s.contains("invalid confidentiality algorithm")) {
            return "BMC " + where + " does not support cipher suite " + t.cipher() + " (check cipher; 3 and 17 are common)";
        }
        if (s.contains("get auth capabilities error") || s.contains("no response") || s.contains("unable to establish")) {
            return "no answer from BMC " + where + " over IPMI 2.0 lanplus (check ip, ipport and that the BMC's LAN channel is enabled)";
        }
        return "ipmitool failed: " + lastLines(stderr, 3);
    }

    static String lastLines(String text, int n) {
        List<String> lines = new ArrayList<>();
        for (String l : text.split("\n")) {
            String t = l.trim();
            if (!t.isEmpty() && !t.startsWith("Loading IANA")) lines.add(t);
        }
        return String.join(" / ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
}
