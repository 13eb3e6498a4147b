package vigil.daemon.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A subcommand's arguments: positionals and {@code --option value} / {@code --flag} / {@code --option=value}.
 * Options are declared up front, so an unknown or misspelled one is an error rather than silently ignored.
 */
public final class Args {
    private final String command;
    private final List<String> positional = new ArrayList<>();
    private final Map<String, List<String>> options = new LinkedHashMap<>();

    private Args(String command) { this.command = command; }

    /**
     * @param valued options taking a value (repeatable), without the leading dashes
     * @param flags  options without a value
     */
    public static Args parse(String command, List<String> argv, Set<String> valued, Set<String> flags) {
        Args a = new Args(command);
        boolean onlyPositional = false;
        for (int i = 0; i < argv.size(); i++) {
            String s = argv.get(i);
            if (onlyPositional || !s.startsWith("-") || s.equals("-") || s.matches("-[0-9].*|-INFINITY|-inf|-INF")) {
                a.positional.add(s);
                continue;
            }
            if (s.equals("--")) {
                onlyPositional = true;
                continue;
            }
            String name = s.startsWith("--") ? s.substring(2) : s.substring(1);
            String inline = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                inline = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valued.contains(name)) {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= argv.size()) throw new UsageException(command + ": option --" + name + " needs a value");
                    value = argv.get(++i);
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else if (flags.contains(name) || name.equals("insecure") && valued.contains("cluster")) {
                // every command that connects to a cluster takes --insecure (plaintext, for an insecure lab cluster)
                if (inline != null) throw new UsageException(command + ": option --" + name + " takes no value");
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else {
                TreeSet<String> known = new TreeSet<>(valued);
                known.addAll(flags);
                throw new UsageException(command + ": unknown option " + s + (known.isEmpty() ? " (it takes none)" : " (known: --" + String.join(", --", known) + ")"));
            }
        }
        return a;
    }

    public List<String> positional() { return positional; }

    /** The {@code i}-th positional argument, or a usage error naming what it should be. */
    public String arg(int i, String what) {
        if (i >= positional.size()) throw new UsageException(command + ": missing " + what);
        return positional.get(i);
    }

    /** Fails when more than {@code n} positionals were given. */
    public Args atMost(int n) {
        if (positional.size() > n) {
            throw new UsageException(command + ": unexpected argument \"" + positional.get(n) + "\"");
        }
        return this;
    }

    public Optional<String> option(String name) {
        List<String> v = options.get(name);
        return v == null ? Optional.empty() : Optional.of(v.get(v.size() - 1));
    }

    public List<String> all(String name) { return options.getOrDefault(name, List.of()); }

    public boolean flag(String name) { return options.containsKey(name); }

    public String command() { return command; }
}
