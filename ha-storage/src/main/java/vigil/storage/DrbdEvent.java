package vigil.storage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One line of {@code drbdsetup events2}: a verb ({@code exists}, {@code create}, {@code change}, {@code destroy},
 * {@code call}, {@code response}), an object ({@code resource}, {@code device}, {@code connection},
 * {@code peer-device}, {@code path}, {@code helper}, or {@code -} for the end-of-initial-state marker) and its
 * {@code key:value} fields in output order.
 */
public record DrbdEvent(String verb, String object, Map<String, String> fields) {
    private static final Pattern TIMESTAMP = Pattern.compile("^\\d{4}-\\d\\d-\\d\\dT\\S+\\s+");
    private static final List<String> VERBS = List.of("exists", "create", "change", "destroy", "call", "response", "rename");

    public DrbdEvent {
        Objects.requireNonNull(verb, "verb");
        Objects.requireNonNull(object, "object");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /**
     * Parses one line (a leading {@code --timestamps} time stamp is skipped). Empty lines give empty; a line that is not
     * an events2 line throws, naming it.
     */
    public static Optional<DrbdEvent> parse(String line) {
        String l = line == null ? "" : line.strip();
        if (l.isEmpty()) return Optional.empty();
        l = TIMESTAMP.matcher(l).replaceFirst("");
        String[] tok = l.split("\\s+");
        if (tok.length < 2 || !VERBS.contains(tok[0])) {
            throw new IllegalArgumentException("drbdsetup events2: not an event line: \"" + line + "\"");
        }
        Map<String, String> f = new LinkedHashMap<>();
        for (int k = 2; k < tok.length; k++) {
            int colon = tok[k].indexOf(':');
            if (colon <= 0) throw new IllegalArgumentException("drbdsetup events2: field without ':' (\"" + tok[k] + "\") in \"" + line + "\"");
            f.put(tok[k].substring(0, colon), tok[k].substring(colon + 1));
        }
        return Optional.of(new DrbdEvent(tok[0], tok[1], f));
    }

    /** Whether this is the {@code exists -} line that ends the initial state dump. */
    public boolean isEndOfInitialState() { return "exists".equals(verb) && "-".equals(object); }

    public String field(String key) { return fields.get(key); }

    public String resource() { return fields.getOrDefault("name", ""); }

    /** For {@code call helper} / {@code response helper} lines: the handler's name ({@code split-brain}, {@code fence-peer}...). */
    public Optional<String> helper() { return "helper".equals(object) ? Optional.ofNullable(fields.get("helper")) : Optional.empty(); }
}
