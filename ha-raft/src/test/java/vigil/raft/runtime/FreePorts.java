package vigil.raft.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free port pairs (Raft port p and API port p + 1) for in-process test nodes. */
final class FreePorts {
    private FreePorts() {}

    static int pair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket a = new ServerSocket(0)) {
                int p = a.getLocalPort();
                if (p >= 65535) continue;
                try (ServerSocket b = new ServerSocket(p + 1)) {
                    return p;
                } catch (IOException busy) {
                    // try another
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no free port pair found");
    }
}
