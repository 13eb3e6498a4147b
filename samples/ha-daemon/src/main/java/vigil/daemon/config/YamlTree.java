package vigil.daemon.config;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Strict reading of a YAML document as a tree of mappings, sequences and plain strings, keeping the line of every
 * field so that errors (ours and the model validator's) can name it. Scalars are never coerced by YAML's type rules:
 * {@code 010} stays the text "010" and is parsed by the field that wants it.
 */
final class YamlTree {
    private final String source;
    /** Dotted field path to its 1-based line. */
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    private YamlTree(String source) { this.source = source; }

    /** Parses {@code text}; an empty document is an empty mapping. */
    static Mapping parse(String source, String text) {
        YamlTree tree = new YamlTree(source);
        Node root;
        try {
            LoaderOptions options = new LoaderOptions();
            options.setAllowRecursiveKeys(false);
            options.setMaxAliasesForCollections(50);
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            throw new YamlConfigException(source, m == null ? 0 : m.getLine() + 1, "",
                    "malformed YAML: " + problem + (e.getContext() == null ? "" : " (" + e.getContext() + ")")
                            + " (check indentation and that every 'key: value' has a space after the colon)");
        } catch (YAMLException e) {
            throw new YamlConfigException(source, 0, "", "malformed YAML: " + e.getMessage());
        }
        if (root == null) return tree.new Mapping("", 1, new LinkedHashMap<>());
        return tree.mapping(root, "");
    }

    /** The line of {@code field} or of its nearest ancestor that has one; 0 if none. */
    int lineOf(String field) {
        String f = field;
        while (!f.isEmpty()) {
            Integer l = lines.get(f);
            if (l != null) return l;
            int dot = f.lastIndexOf('.');
            f = dot < 0 ? "" : f.substring(0, dot);
        }
        return 0;
    }

    String source() { return source; }

    /** Records {@code path} at {@code line} unless it already has one (an alias, e.g. a group member's own id path). */
    void alias(String path, int line) { lines.putIfAbsent(path, line); }

    YamlConfigException error(String field, Node at, String problemAndFix) {
        return new YamlConfigException(source, at == null ? lineOf(field) : at.getStartMark().getLine() + 1, field, problemAndFix);
    }

    private Mapping mapping(Node node, String path) {
        if (!(node instanceof MappingNode mn)) {
            throw error(path, node, "expected a mapping of 'key: value' lines, found " + describe(node));
        }
        Map<String, NodeTuple> entries = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) throw error(path, t.getKeyNode(), "a key must be a plain word, found " + describe(t.getKeyNode()));
            String key = k.getValue();
            String child = path.isEmpty() ? key : path + "." + key;
            if (entries.put(key, t) != null) throw error(child, k, "\"" + key + "\" is given twice (remove one of them)");
            lines.put(child, k.getStartMark().getLine() + 1);
        }
        return new Mapping(path, node.getStartMark().getLine() + 1, entries);
    }

    private static String describe(Node n) {
        if (n instanceof ScalarNode s) return "the value \"" + s.getValue() + "\"";
        if (n instanceof SequenceNode) return "a list";
        if (n instanceof MappingNode) return "a mapping";
        return "nothing";
    }

    static boolean isNull(Node n) {
        return n == null || (n instanceof ScalarNode s && (s.getTag().equals(Tag.NULL) || (s.getValue().isEmpty() && s.getTag().equals(Tag.NULL))));
    }

    /** A mapping at {@code path}; each field is read at most once, and {@link #allow} rejects unknown ones. */
    final class Mapping {
        final String path;
        final int line;
        private final Map<String, NodeTuple> entries;

        Mapping(String path, int line, Map<String, NodeTuple> entries) {
            this.path = path;
            this.line = line;
            this.entries = entries;
        }

        YamlTree tree() { return YamlTree.this; }

        String field(String key) { return path.isEmpty() ? key : path + "." + key; }

        Set<String> keys() { return entries.keySet(); }

        boolean has(String key) { return entries.containsKey(key) && !isNull(entries.get(key).getValueNode()); }

        Node node(String key) { return entries.get(key) == null ? null : entries.get(key).getValueNode(); }

        /** Rejects any key not in {@code known}, suggesting the closest known one. */
        Mapping allow(Collection<String> known) {
            for (var e : entries.entrySet()) {
                if (!known.contains(e.getKey())) {
                    String closest = closest(e.getKey(), known);
                    throw error(field(e.getKey()), e.getValue().getKeyNode(), "unknown field \"" + e.getKey() + "\" ("
                            + (closest == null ? "" : "did you mean \"" + closest + "\"? ") + "known fields: " + String.join(", ", new TreeSet<>(known)) + ")");
                }
            }
            return this;
        }

        Mapping allow(String... known) { return allow(List.of(known)); }

        String string(String key) {
            if (!has(key)) throw error(field(key), entries.containsKey(key) ? entries.get(key).getKeyNode() : null,
                    "required field \"" + key + "\" is missing" + (entries.containsKey(key) ? " or empty" : "") + " (add '" + key + ": <value>' at line " + line + ")");
            return scalar(key);
        }

        String string(String key, String dflt) { return has(key) ? scalar(key) : dflt; }

        private String scalar(String key) {
            Node n = node(key);
            if (!(n instanceof ScalarNode s)) throw error(field(key), n, "expected a single value, found " + describe(n));
            return s.getValue();
        }

        boolean bool(String key, boolean dflt) {
            if (!has(key)) return dflt;
            String v = scalar(key).trim().toLowerCase(java.util.Locale.ROOT);
            switch (v) {
                case "true", "yes", "on" -> { return true; }
                case "false", "no", "off" -> { return false; }
                default -> throw error(field(key), node(key), "not a boolean: \"" + scalar(key) + "\" (use true or false)");
            }
        }

        Mapping mapping(String key) {
            if (!has(key)) return new Mapping(field(key), line, new LinkedHashMap<>());
            return YamlTree.this.mapping(node(key), field(key));
        }

        /** A mapping of plain string values, such as params or meta. */
        Map<String, String> strings(String key) {
            Mapping m = mapping(key);
            Map<String, String> out = new LinkedHashMap<>();
            for (String k : m.keys()) {
                if (!m.has(k)) throw error(m.field(k), m.entries.get(k).getKeyNode(), "value of \"" + k + "\" is empty (give a value or remove the line)");
                out.put(k, m.scalar(k));
            }
            return out;
        }

        /** Items of a list, each with its path {@code key[i]}; a single value counts as a one-element list. */
        List<Item> list(String key) {
            if (!has(key)) return List.of();
            Node n = node(key);
            List<Item> out = new ArrayList<>();
            if (n instanceof SequenceNode seq) {
                for (int i = 0; i < seq.getValue().size(); i++) out.add(new Item(field(key) + "[" + i + "]", seq.getValue().get(i)));
            } else {
                out.add(new Item(field(key), n));
            }
            return out;
        }

        List<String> stringList(String key) {
            List<String> out = new ArrayList<>();
            for (Item i : list(key)) out.add(i.string());
            return out;
        }
    }

    /** One element of a list. */
    final class Item {
        final String path;
        final Node node;

        Item(String path, Node node) {
            this.path = path;
            this.node = node;
        }

        String string() {
            if (!(node instanceof ScalarNode s) || isNull(node)) throw error(path, node, "expected a single value, found " + describe(node));
            return s.getValue();
        }

        Mapping mapping(String asPath) { return YamlTree.this.mapping(node, asPath); }
    }

    static String closest(String word, Collection<String> candidates) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String c : candidates) {
            int d = distance(word.toLowerCase(java.util.Locale.ROOT), c);
            if (d < bestDistance) {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= Math.max(2, word.length() / 3) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
