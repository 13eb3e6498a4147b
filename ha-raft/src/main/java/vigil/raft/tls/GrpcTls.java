package vigil.raft.tls;

import io.grpc.Grpc;
import io.grpc.ServerCall;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;

/** TLS 1.3 contexts for Vigil's own gRPC ports (node agent and admin API) and clients. Internal to the transports. */
public final class GrpcTls {
    public static final String PROTOCOL = "TLSv1.3";

    private GrpcTls() {}

    /**
     * The node API server: its node certificate; a client certificate is asked for but optional (an administration
     * client may present the cluster token instead); each service checks the caller's identity per call.
     */
    public static SslContext server(NodeTls tls) {
        try {
            return GrpcSslContexts.configure(SslContextBuilder.forServer(tls.keyManager()))
                    .trustManager(ClusterTrust.of(tls, (peer, client, host, port) -> { }))
                    .clientAuth(ClientAuth.OPTIONAL).protocols(PROTOCOL).build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for the node API: " + e.getMessage(), e);
        }
    }

    /** A client presenting {@code tls}'s certificate and trusting its CAs under {@code policy}. */
    public static SslContext client(NodeTls tls, ClusterTrust.Policy policy) {
        return client(ClusterTrust.of(tls, policy), tls);
    }

    /** A client without a certificate of its own (it presents the cluster token) that trusts only {@code ca}'s nodes. */
    public static SslContext client(List<X509Certificate> ca) {
        return client(new ClusterTrust(() -> ca, ClusterTrust.ANY_NODE_SERVER), null);
    }

    public static SslContext client(TrustManager trust, NodeTls own) {
        try {
            SslContextBuilder b = GrpcSslContexts.forClient().trustManager(trust).protocols(PROTOCOL);
            if (own != null) b.keyManager(own.keyManager());
            return b.build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot set up TLS for a client: " + e.getMessage(), e);
        }
    }

    /** The verified identity of the caller of {@code call}, if it presented a cluster certificate. */
    public static Optional<PeerIdentity> caller(ServerCall<?, ?> call) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        return identity(session);
    }

    static Optional<PeerIdentity> identity(SSLSession session) {
        if (session == null) return Optional.empty();
        try {
            Certificate[] peer = session.getPeerCertificates();
            return peer.length == 0 || !(peer[0] instanceof X509Certificate x) ? Optional.empty() : PeerIdentity.of(x);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code call} came over TLS. */
    public static boolean isTls(ServerCall<?, ?> call) { return call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION) != null; }
}
