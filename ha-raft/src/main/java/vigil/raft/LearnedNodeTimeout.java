package vigil.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.spi.PrivateFiles;

/**
 * The cluster's node-timeout as this node last saw it committed, kept in its data dir. Raft's election timeouts are
 * fixed when the replica starts, before it has read the replicated config: without this file every node but the one
 * that bootstrapped the cluster would start with the default node-timeout, and with a cluster node-timeout of 5 s
 * call elections after 200 ms of silence. A joining host gets the value in its join reply.
 */
public final class LearnedNodeTimeout {
    private static final Logger LOG = LoggerFactory.getLogger(LearnedNodeTimeout.class);
    static final String FILE = "node-timeout";

    private LearnedNodeTimeout() {
    }

    /** The value last remembered in {@code dataDir}; empty when none (or unreadable: the caller's default applies). */
    public static Optional<Duration> read(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            Duration d = Duration.parse(Files.readString(file, StandardCharsets.UTF_8).trim());
            if (d.toMillis() < 100) throw new DateTimeParseException("below 100ms", d.toString(), 0);
            return Optional.of(d);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | DateTimeParseException e) {
            LOG.warn("ignoring {}: {} (it is rewritten from the cluster's config once this node has applied it)", file, e.getMessage());
            return Optional.empty();
        }
    }

    /** Remembers {@code nodeTimeout} in {@code dataDir} (owner-only, replaced whole). */
    public static void write(Path dataDir, Duration nodeTimeout) throws IOException {
        PrivateFiles.createDirectories(dataDir);
        PrivateFiles.writeString(dataDir.resolve(FILE), nodeTimeout.toString() + "\n");
    }
}
