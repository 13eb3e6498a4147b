package vigil.raft.tls;

import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import vigil.api.VigilException;

/**
 * The TLS identity of one node (or administration client) of a cluster: its private key, its certificate signed by
 * the cluster CA, and the CA certificates it trusts. Every Vigil port uses it for mutual TLS 1.3. The material can
 * be replaced while the node runs ({@link #reload()}, {@link #replace}): new connections use the new certificate,
 * open ones keep theirs.
 *
 * <pre>{@code
 * ClusterNode.builder()...tls(NodeTls.load(Path.of("/etc/vigil/pki"))).start();
 * SSLContext https = node.tls().serverSslContext();   // e.g. for an HTTPS status page
 * }</pre>
 */
public final class NodeTls {
    public static final String NODE_CERT = "node.crt";
    public static final String NODE_KEY = "node.key";
    private static final AtomicLong GENERATIONS = new AtomicLong();

    /** One consistent set: replaced as a whole. */
    record Material(List<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key, String alias) {}

    private final Path dir;
    private volatile Material material;
    /** The set before the last replacement: a handshake that chose its alias just before still finds its key. */
    private volatile Material previous;

    private NodeTls(Path dir, Material material) {
        this.dir = dir;
        this.material = material;
    }

    static NodeTls of(List<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key) {
        return new NodeTls(null, material(trust, chain, key));
    }

    private static Material material(List<X509Certificate> trust, List<X509Certificate> chain, PrivateKey key) {
        if (trust.isEmpty()) throw new VigilException("no CA certificate to trust");
        if (chain.isEmpty()) throw new VigilException("no certificate");
        Objects.requireNonNull(key, "key");
        if (PeerIdentity.of(chain.get(0)).isEmpty()) {
            throw new VigilException("certificate " + chain.get(0).getSubjectX500Principal() + " carries no Vigil identity (vigil:node:ID)");
        }
        return new Material(List.copyOf(trust), List.copyOf(chain), key, "vigil-" + GENERATIONS.incrementAndGet());
    }

    /** Reads {@code ca.crt}, {@code node.crt} and {@code node.key} from {@code dir} (what init / join write). */
    public static NodeTls load(Path dir) {
        return new NodeTls(dir, read(dir));
    }

    /** Whether {@code dir} holds a node certificate and key. */
    public static boolean existsIn(Path dir) { return Files.exists(dir.resolve(NODE_CERT)) && Files.exists(dir.resolve(NODE_KEY)); }

    private static Material read(Path dir) {
        return material(Pem.readCertificates(dir.resolve(ClusterCa.CA_CERT)), Pem.readCertificates(dir.resolve(NODE_CERT)),
                Pem.readPrivateKey(dir.resolve(NODE_KEY)));
    }

    /** Writes {@code ca.crt}, {@code node.crt} and {@code node.key} (0600) to {@code dir}. */
    public void save(Path dir) {
        Material m = material;
        Pem.write(dir.resolve(NODE_KEY), Pem.privateKey(m.key()));
        Pem.write(dir.resolve(NODE_CERT), Pem.certificates(m.chain()));
        Pem.write(dir.resolve(ClusterCa.CA_CERT), Pem.certificates(m.trust()));
    }

    /** Re-reads the files this was loaded from (after {@code vigil certs rotate} replaced them). */
    public void reload() {
        if (dir == null) throw new IllegalStateException("this TLS identity was not loaded from files");
        swap(read(dir));
    }

    private synchronized void swap(Material next) {
        previous = material;
        material = next;
    }

    private Material byAlias(String alias) {
        Material p = previous;
        return p != null && p.alias().equals(alias) ? p : material;
    }

    /** Switches to a new certificate and key (and keeps trusting the same CAs). */
    public void replace(List<X509Certificate> chain, PrivateKey key) {
        swap(material(material.trust(), chain, key));
    }

    /** The directory this was loaded from, or null. */
    public Path directory() { return dir; }

    public PeerIdentity identity() { return PeerIdentity.of(certificate()).orElseThrow(); }

    public X509Certificate certificate() { return material.chain().get(0); }

    public List<X509Certificate> trustAnchors() { return material.trust(); }

    /** When this node's certificate expires. */
    public Instant notAfter() { return certificate().getNotAfter().toInstant(); }

    /** The pin of the cluster CA (see {@link ClusterCa#pin()}). */
    public String caPin() { return ClusterCa.pin(material.trust().get(0)); }

    Material material() { return material; }

    /** A new key pair for {@code identity} and its PKCS#10 request (the key never leaves this host). */
    public static PendingKey newKey(String subject) {
        KeyPair kp = ClusterCa.newKeyPair();
        return new PendingKey(kp, CertificateRequests.create(kp, subject));
    }

    /** A private key waiting for its certificate. */
    public record PendingKey(KeyPair keyPair, byte[] csr) {
        public NodeTls withCertificate(String chainPem, String caPem) {
            List<X509Certificate> chain = new ArrayList<>(Pem.parseCertificates("certificate", chainPem));
            List<X509Certificate> ca = Pem.parseCertificates("CA certificate", caPem);
            if (!chain.get(0).getPublicKey().equals(keyPair.getPublic())) throw new VigilException("the certificate received is not for this key");
            return NodeTls.of(ca, chain, keyPair.getPrivate());
        }

        public List<X509Certificate> chain(String chainPem) { return Pem.parseCertificates("certificate", chainPem); }

        public PrivateKey privateKey() { return keyPair.getPrivate(); }
    }

    /**
     * A JDK SSLContext serving this node's certificate (TLS 1.3; clients are not asked for certificates), e.g. for
     * an HTTPS endpoint. It follows {@link #reload()}.
     */
    public SSLContext serverSslContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(new javax.net.ssl.KeyManager[] {keyManager()}, new TrustManager[0], null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no TLS 1.3 in this JVM", e);
        }
    }

    /** A key manager that always offers the current certificate (internal: the transports use it). */
    public X509ExtendedKeyManager keyManager() {
        return new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {material.alias()}; }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return material.alias(); }

            @Override
            public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return material.alias(); }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) { return new String[] {material.alias()}; }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return material.alias(); }

            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) { return material.alias(); }

            @Override
            public X509Certificate[] getCertificateChain(String alias) { return byAlias(alias).chain().toArray(new X509Certificate[0]); }

            @Override
            public PrivateKey getPrivateKey(String alias) { return byAlias(alias).key(); }
        };
    }
}
