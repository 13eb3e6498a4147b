package vigil.lab;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/** One three-node lab cluster shared by the ordered scenarios of a test class; its logs are kept when one fails. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class LabClusterIT {
    protected LabFixture f;
    protected LocalCluster c;

    @RegisterExtension
    final TestWatcher keepOnFailure = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            if (f != null) f.failed();
        }
    };

    /** Prefix of the cluster's temporary directory. */
    abstract String dirPrefix();

    /** The watchdog timeout of the nodes' emulators; null: no watchdogs, the cluster fences by SIGKILL. */
    Duration watchdog() { return null; }

    /** Nodes that run without a watchdog emulator although the others have one. */
    Set<String> withoutWatchdog() { return Set.of(); }

    @BeforeAll
    void startCluster() {
        assumeTrue(Files.isExecutable(LabFixture.DUMMY), "resource-agents (ocf:heartbeat:Dummy) is not installed");
        f = LabFixture.start(dirPrefix(), watchdog(), withoutWatchdog());
        c = f.c;
    }

    @AfterAll
    void stopCluster() {
        if (f != null) f.close();
    }
}
