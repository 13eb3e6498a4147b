package vigil.engine.ocf;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
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
            Path dir = privateDir;
            if (dir == null) {
                try {
                    dir = Files.createTempDirectory("vigil-ocf-");
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create a private directory for the OCF driver: " + e.getMessage(), e);
                }
            }
            shim = ToolShims.install(dir);
        }
        return shim;
    }
}
