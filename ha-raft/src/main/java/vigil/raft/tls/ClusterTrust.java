package vigil.raft.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Decides whom a Vigil port talks to: the peer's certificate must be signed by the cluster CA, be valid now, be
 * meant for its side of the connection (server or client authentication), carry a Vigil identity, and pass the
 * connection's {@link Policy} (for Raft: a node of the replicated membership; for the controller's calls: exactly the
 * node it meant to reach). Internal to the transports.
 */
public final class ClusterTrust extends X509ExtendedTrustManager {
    private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
    private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

    /** The identity check of one kind of connection; throws with the reason to refuse. */
    @FunctionalInterface
    public interface Policy {
        /**
         * @param peerIsClient whether the peer opened the connection (this side serves)
         * @param host         the host this side connected to (client side), else null
         * @param port         the port this side connected to (client side), else -1
         */
        void check(PeerIdentity peer, boolean peerIsClient, String host, int port) throws CertificateException;
    }

    /** Who belongs to the cluster now: the replicated membership, as one node sees it. */
    public interface Members {
        boolean isMember(String nodeId);

        /** The node whose Raft or API address is {@code host:port}, if one is known. */
        Optional<String> nodeAt(String host, int port);
    }

    private final Supplier<List<X509Certificate>> anchors;
    private final Policy policy;

    public ClusterTrust(Supplier<List<X509Certificate>> anchors, Policy policy) {
        this.anchors = anchors;
        this.policy = policy;
    }

    /** Trusts the CAs of {@code tls} and applies {@code policy}. */
    public static ClusterTrust of(NodeTls tls, Policy policy) { return new ClusterTrust(tls::trustAnchors, policy); }

    /**
     * Raft: both sides must be nodes of the membership; a server must be the node at the address dialled, where that
     * address is known.
     */
    public static Policy members(Members members) {
        return (peer, peerIsClient, host, port) -> {
            if (peer.kind() != PeerIdentity.Kind.NODE) throw new CertificateException(peer + " is not a cluster node");
            if (!members.isMember(peer.name())) throw new CertificateException("node " + peer.name() + " is not a member of this cluster");
            if (!peerIsClient && host != null) {
                Optional<String> expected = members.nodeAt(host, port);
                if (expected.isPresent() && !expected.get().equals(peer.name())) {
                    throw new CertificateException(host + ":" + port + " is node " + expected.get() + " but presented the certificate of node " + peer.name());
                }
            }
        };
    }

    /** A server that must be one particular node (the controller calling a node's agent). */
    public static Policy node(String nodeId) {
        return (peer, peerIsClient, host, port) -> {
            if (peer.kind() != PeerIdentity.Kind.NODE || !peer.name().equals(nodeId)) {
                throw new CertificateException("expected node " + nodeId + ", the peer presented " + peer);
            }
        };
    }

    /** A server that must be some node of the cluster (administration clients); or, serving, any cluster identity. */
    public static final Policy ANY_NODE_SERVER = (peer, peerIsClient, host, port) -> {
        if (!peerIsClient && peer.kind() != PeerIdentity.Kind.NODE) throw new CertificateException("the server presented " + peer + ", not a node certificate");
    };

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        policy.check(verify(chain, CLIENT_AUTH), true, null, -1);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        policy.check(verify(chain, SERVER_AUTH), false, engine == null ? null : engine.getPeerHost(), engine == null ? -1 : engine.getPeerPort());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        policy.check(verify(chain, CLIENT_AUTH), true, null, -1);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        policy.check(verify(chain, SERVER_AUTH), false, null, -1);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        policy.check(verify(chain, CLIENT_AUTH), true, null, -1);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        policy.check(verify(chain, SERVER_AUTH), false, null, -1);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() { return anchors.get().toArray(new X509Certificate[0]); }

    /** The identity of a chain whose leaf the cluster CA signed, that is valid now and allowed {@code usage}. */
    private PeerIdentity verify(X509Certificate[] chain, String usage) throws CertificateException {
        if (chain == null || chain.length == 0) throw new CertificateException("no certificate presented");
        X509Certificate leaf = chain[0];
        Date now = new Date();
        X509Certificate signer = null;
        for (X509Certificate ca : anchors.get()) {
            if (!ca.getSubjectX500Principal().equals(leaf.getIssuerX500Principal())) continue;
            try {
                leaf.verify(ca.getPublicKey());
                ca.checkValidity(now);
                signer = ca;
                break;
            } catch (GeneralSecurityException e) {
                // not signed by this CA (or it expired): try the next one
            }
        }
        if (signer == null) throw new CertificateException("certificate of " + leaf.getSubjectX500Principal() + " is not signed by this cluster's CA");
        leaf.checkValidity(now);
        return identityFor(leaf, usage);
    }

    static PeerIdentity identityFor(X509Certificate leaf, String usage) throws CertificateException {
        try {
            List<String> eku = leaf.getExtendedKeyUsage();
            if (eku == null || !eku.contains(usage)) {
                throw new CertificateException("certificate of " + leaf.getSubjectX500Principal() + " may not be used for "
                        + (usage.equals(SERVER_AUTH) ? "serving" : "client authentication"));
            }
        } catch (CertificateParsingException e) {
            throw new CertificateException("unreadable extended key usage", e);
        }
        return PeerIdentity.of(leaf).orElseThrow(() -> new CertificateException("certificate of " + leaf.getSubjectX500Principal() + " carries no Vigil identity"));
    }

    /**
     * Trusts a server whose chain includes a CA with the given pin and whose leaf that CA signed: how a joining host
     * checks the cluster before it has the CA certificate (the join token carries the pin).
     */
    public static X509ExtendedTrustManager pinned(String pin, java.util.function.Consumer<X509Certificate> caSeen) {
        return new X509ExtendedTrustManager() {
            private void check(X509Certificate[] chain) throws CertificateException {
                if (chain == null || chain.length < 2) throw new CertificateException("the server sent no CA certificate to check against the token's pin");
                for (X509Certificate c : chain) {
                    if (c.getBasicConstraints() < 0 || !ClusterCa.pin(c).equals(pin)) continue;
                    try {
                        chain[0].verify(c.getPublicKey());
                        chain[0].checkValidity();
                    } catch (GeneralSecurityException e) {
                        throw new CertificateException("the server's certificate is not signed by the pinned CA: " + e.getMessage());
                    }
                    PeerIdentity id = identityFor(chain[0], SERVER_AUTH);
                    if (id.kind() != PeerIdentity.Kind.NODE) throw new CertificateException("the server presented " + id + ", not a node certificate");
                    caSeen.accept(c);
                    return;
                }
                throw new CertificateException("the server's CA does not match the join token's pin: this is not the cluster the token was made for");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException { check(chain); }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException { check(chain); }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException { check(chain); }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("client side only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        };
    }
}
