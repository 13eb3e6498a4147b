package vigil.raft.admin;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.Cluster;

/**
 * Serves the admin gRPC API for a {@link Cluster} on {@code host:port}, admitting only calls that carry the cluster
 * token. {@link #close()} stops it.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    private final Server server;

    private AdminServer(Server server) { this.server = server; }

    /** Starts serving; {@code port} 0 picks a free port (see {@link #port()}). */
    public static AdminServer start(Cluster cluster, String host, int port, String token) { return start(cluster, host, port, token, null); }

    /** With {@code tls}: TLS 1.3, admin and read-only client certificates of its CA accepted besides the token. */
    public static AdminServer start(Cluster cluster, String host, int port, String token, vigil.raft.tls.NodeTls tls) {
        NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
                .addService(ServerInterceptors.intercept(new AdminService(cluster), Access.admin(token, id -> false)));
        if (tls != null) b.sslContext(vigil.raft.tls.GrpcTls.server(tls));
        Server s = b.build();
        try {
            s.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve the admin API on " + host + ":" + port + " (is the port in use?)", e);
        }
        LOG.info("admin: serving on {}:{}", host, s.getPort());
        return new AdminServer(s);
    }

    public int port() { return server.getPort(); }

    @Override
    public void close() {
        server.shutdown();
        try {
            if (!server.awaitTermination(5, TimeUnit.SECONDS)) server.shutdownNow();
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
