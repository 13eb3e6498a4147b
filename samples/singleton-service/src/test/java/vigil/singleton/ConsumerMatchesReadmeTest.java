package vigil.singleton;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * samples/consumer runs the README's embedding example as three processes; this keeps the two the same code. Only
 * what cannot be literal on one test machine differs: the node id, the hosts' addresses (loopback) and directories.
 */
class ConsumerMatchesReadmeTest {
    private static final Path ROOT = Path.of("../..");

    @Test
    void consumerRunsTheReadmeExample() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int section = readme.indexOf("## Embedding Vigil in a Java service");
        int start = readme.indexOf("```java\n", section) + "```java\n".length();
        String example = readme.substring(start, readme.indexOf("```", start))
                .replace(".id(\"node1\")", ".id(id)")
                .replace("\"10.0.0.", "\"127.0.0.")
                .replace("Path.of(\"/etc/vigil/pki\")", "Path.of(\"pki\")")
                .replace("Path.of(\"/var/lib/vigil\")", "Path.of(\"data\")");

        String consumer = Files.readString(ROOT.resolve("samples/consumer/src/main/java/org/example/ticker/TickerService.java"));
        int from = consumer.indexOf("// --- README example");
        String body = consumer.substring(consumer.indexOf('\n', from) + 1, consumer.indexOf("// ---\n", from));

        assertEquals(normalized(example), normalized(body), "samples/consumer's TickerService must hold README.md's example");
    }

    /** Lines without their indentation or the spaces that align trailing comments. */
    private static List<String> normalized(String code) {
        return code.lines().map(l -> l.strip().replaceAll("\\s+//", " //").replaceAll("\\s+", " ")).filter(l -> !l.isEmpty()).toList();
    }
}
