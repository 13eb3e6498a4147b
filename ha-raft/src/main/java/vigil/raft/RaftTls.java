package vigil.raft;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.thirdparty.io.grpc.Grpc;
import org.apache.ratis.thirdparty.io.grpc.Metadata;
import org.apache.ratis.thirdparty.io.grpc.ServerCall;
import org.apache.ratis.thirdparty.io.grpc.ServerCallHandler;
import org.apache.ratis.thirdparty.io.grpc.ServerInterceptor;
import org.apache.ratis.thirdparty.io.grpc.Status;
import vigil.raft.tls.ClusterTrust;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.NodeTls;
import vigil.raft.tls.PeerIdentity;

/**
 * Mutual TLS 1.3 on the Raft port: servers and clients present their node certificates, and each side accepts only
 * a node of the membership it knows (see {@link ClusterTrust#members}). The check runs at the handshake and again on
 * every call, so a node removed while its connection stays open is refused from then on.
 */
final class RaftTls {
    private static final Logger LOG = LoggerFactory.getLogger(RaftTls.class);

    private RaftTls() {}

    /** Ratis parameters for a server or client with {@code tls}; null {@code tls}: plaintext (the lab switch). */
    static Parameters parameters(NodeTls tls, ClusterTrust.Members members, boolean server) {
        Parameters p = new Parameters();
        if (tls == null) return p;
        GrpcTlsConfig conf = GrpcTlsConfig.newBuilder().setKeyManager(tls.keyManager())
                .setTrustManager(ClusterTrust.of(tls, ClusterTrust.members(members))).setMutualTls(true)
                .setProtocols(GrpcTls.PROTOCOL).build();
        GrpcConfigKeys.TLS.setConf(p, conf);
        if (server) GrpcConfigKeys.Server.setServicesCustomizer(p, (builder, types) -> builder.intercept(callCheck(members)));
        return p;
    }

    private static ServerInterceptor callCheck(ClusterTrust.Members members) {
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                Optional<PeerIdentity> who = identity(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION));
                if (who.isEmpty() || who.get().kind() != PeerIdentity.Kind.NODE || !members.isMember(who.get().name())) {
                    String why = who.map(w -> w + " is not a member of this cluster").orElse("no cluster certificate");
                    LOG.warn("raft: refused a call of " + call.getMethodDescriptor().getFullMethodName() + ": " + why);
                    call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
    }

    private static Optional<PeerIdentity> identity(SSLSession session) {
        if (session == null) return Optional.empty();
        try {
            Certificate[] peer = session.getPeerCertificates();
            return peer.length == 0 || !(peer[0] instanceof X509Certificate x) ? Optional.empty() : PeerIdentity.of(x);
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }
}
