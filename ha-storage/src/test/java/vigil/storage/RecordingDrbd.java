package vigil.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import vigil.api.spi.ProcessRunner;

/**
 * A recording stand-in for drbdadm / drbdsetup: the DRBD kernel module cannot load on the build machines, so
 * controller tests run against this ProcessRunner. It records every argv and answers from a script of recorded real
 * outputs (files under src/test/resources/drbd, see SOURCES.md). Commands with no scripted answer succeed with no
 * output, as drbdadm's state-changing commands do.
 */
final class RecordingDrbd implements ProcessRunner {
    private final List<List<String>> calls = new ArrayList<>();
    private final List<Rule> rules = new ArrayList<>();

    private static final class Rule {
        final List<String> words;
        final Deque<ProcessResult> answers = new ArrayDeque<>();

        Rule(List<String> words) { this.words = words; }
    }

    /** Answers the next call whose argv contains all {@code words} (in order) with these results, one per call; the last repeats. */
    RecordingDrbd on(List<String> words, ProcessResult... answers) {
        Rule r = new Rule(words);
        r.answers.addAll(List.of(answers));
        rules.add(r);
        return this;
    }

    static ProcessResult ok(String stdout) { return new ProcessResult(0, stdout, "", false, Duration.ofMillis(3)); }

    static ProcessResult fail(int code, String stderr) { return new ProcessResult(code, "", stderr, false, Duration.ofMillis(3)); }

    /** {@code drbdsetup status RES --json} of a resource that is not up (exit 10, see SOURCES.md). */
    static ProcessResult noSuchResource(String res) { return fail(10, res + ": No such resource\n"); }

    static String resource(String path) {
        try (InputStream in = RecordingDrbd.class.getResourceAsStream("/drbd/" + path)) {
            if (in == null) throw new IllegalArgumentException("missing test resource drbd/" + path);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** status --json answering a recorded sample with its resource name replaced (the samples use their own names). */
    static ProcessResult statusJson(String file, String oldName, String newName) {
        return ok(resource("status-json/" + file).replace("\"" + oldName + "\"", "\"" + newName + "\""));
    }

    @Override
    public synchronized ProcessResult run(List<String> argv, Map<String, String> env, String stdin, Duration timeout) {
        calls.add(List.copyOf(argv));
        for (Rule r : rules) {
            if (!containsInOrder(argv, r.words)) continue;
            return r.answers.size() > 1 ? r.answers.poll() : r.answers.peek();
        }
        return ok("");
    }

    synchronized List<List<String>> calls() { return List.copyOf(calls); }

    /** The calls as "drbdadm up r0" strings, without the {@code -c FILE} option, for readable sequence assertions. */
    synchronized List<String> commands() {
        List<String> out = new ArrayList<>();
        for (List<String> c : calls) {
            List<String> x = new ArrayList<>(c);
            int i = x.indexOf("-c");
            if (i == 1) { x.remove(1); x.remove(1); }
            out.add(String.join(" ", x));
        }
        return out;
    }

    private static boolean containsInOrder(List<String> argv, List<String> words) {
        int i = 0;
        for (String a : argv) if (i < words.size() && a.equals(words.get(i))) i++;
        return i == words.size();
    }
}
