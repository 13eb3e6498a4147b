package vigil.engine.ocf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import vigil.api.spi.ProcessRunner;
import vigil.api.spi.ResourceDriver;
import vigil.api.spi.ResourceDriverProvider;

/**
 * Creates {@link OcfDriver}s for {@code ocf:<provider>:<agent>} types. Found by {@link java.util.ServiceLoader} (then
 * the OCF root is the system property {@code vigil.ocf.root}, else the environment's {@code OCF_ROOT}, else
 * {@code /usr/lib/ocf}), or constructed with an explicit root, runner and private directory.
 */
public final class OcfDriverProvider implements ResourceDriverProvider {
    private final Path root;
    private final ProcessRunner runner;
    private final Path privateDir;
    private static final String TEMP_PREFIX = "vigil-ocf-";
    private ToolShims shim;

    public OcfDriverProvider() {
        this(defaultRoot(), ProcessRunner.local(), null);
    }

    /** @param privateDir where the promotion score scripts go (created owner-only); {@code null} for a new temporary directory */
    public OcfDriverProvider(Path root, ProcessRunner runner, Path privateDir) {
        this.root = root;
        this.runner = runner;
        this.privateDir = privateDir;
    }

    static Path defaultRoot() {
        String p = System.getProperty("vigil.ocf.root");
        if (p == null || p.isBlank()) p = System.getenv("OCF_ROOT");
        return p == null || p.isBlank() ? OcfDriver.DEFAULT_ROOT : Path.of(p);
    }

    public Path root() { return root; }

    @Override
    public boolean supports(String type) { return OcfDriver.isOcfType(type); }

    @Override
    public ResourceDriver create(String type) { return new OcfDriver(type, root, runner, this::shim); }

    /** Every agent installed under the OCF root: {@code ocf:<provider>:<agent>} for each {@code resource.d/<provider>/<agent>}. */
    @Override
    public List<String> types() {
        List<String> out = new ArrayList<>();
        try (Stream<Path> providers = Files.list(root.resolve("resource.d"))) {
            for (Path provider : providers.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> agents = Files.list(provider)) {
                    agents.filter(a -> Files.isRegularFile(a) && Files.isExecutable(a)).sorted()
                            .forEach(a -> out.add("ocf:" + provider.getFileName() + ":" + a.getFileName()));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the OCF agents under " + root + ": " + e.getMessage(), e);
        }
        return out;
    }

    private synchronized ToolShims shim() {
        if (shim == null) {
            shim = ToolShims.install(privateDir != null ? privateDir : ownTemporaryDirectory(Path.of(System.getProperty("java.io.tmpdir"))));
        }
        return shim;
    }

    /**
     * A directory of this process under {@code tmp} (the system's temporary directory), removed when the JVM exits; directories that
     * processes killed earlier left behind (their pid is in the name and no longer runs) are removed first, so a host
     * whose daemon was killed and restarted many times does not collect them.
     */
    static Path ownTemporaryDirectory(Path tmp) {
        Path dir;
        try {
            dir = Files.createTempDirectory(tmp, TEMP_PREFIX + ProcessHandle.current().pid() + "-");
            removeLeftovers(tmp, Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a private directory for the OCF driver: " + e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "ocf-private-dir-cleanup"));
        return dir;
    }

    /**
     * Only real directories (no links) owned by {@code owner}, this process's user: inside such owner-only directories
     * no other user can swap a path for a link between the listing and the deletion.
     */
    private static void removeLeftovers(Path tmp, UserPrincipal owner) {
        try (Stream<Path> all = Files.list(tmp)) {
            for (Path d : all.toList()) {
                String name = d.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX) || !Files.isDirectory(d, LinkOption.NOFOLLOW_LINKS)) continue;
                String[] parts = name.substring(TEMP_PREFIX.length()).split("-", 2);
                if (parts.length != 2 || !parts[0].matches("[0-9]{1,10}")) continue;
                if (ProcessHandle.of(Long.parseLong(parts[0])).isPresent()) continue;
                if (owner.equals(Files.getOwner(d, LinkOption.NOFOLLOW_LINKS))) deleteTree(d);
            }
        } catch (IOException | UncheckedIOException e) {
            // not ours to list, or it changed meanwhile: the leftovers stay, nothing else depends on them
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException | UncheckedIOException e) {
            // already gone, or changed meanwhile: what is left stays
        }
    }
}
