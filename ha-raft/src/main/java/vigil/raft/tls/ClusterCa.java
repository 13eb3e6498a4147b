package vigil.raft.tls;

import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import vigil.api.VigilException;

/**
 * A cluster's certificate authority: it signs the certificate of every node and administration client of one
 * cluster, and nothing else trusts it. {@code vigil init} creates it; every voting member keeps a copy of its key
 * ({@code ca.key}, 0600), so that any surviving member can admit a new host or renew a certificate.
 *
 * <pre>{@code
 * ClusterCa ca = ClusterCa.create("prod", clusterId);
 * ca.save(Path.of("/etc/vigil/pki"));
 * NodeTls n1 = ca.issueNode("n1", List.of("10.0.0.1"));
 * }</pre>
 */
public final class ClusterCa {
    public static final String CA_CERT = "ca.crt";
    public static final String CA_KEY = "ca.key";
    static final Duration CA_LIFETIME = Duration.ofDays(3650);
    /** Node and client certificates live a year; {@code vigil certs rotate} renews them without downtime. */
    public static final Duration CERT_LIFETIME = Duration.ofDays(365);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final X509Certificate certificate;
    private final PrivateKey key;

    private ClusterCa(X509Certificate certificate, PrivateKey key) {
        this.certificate = certificate;
        this.key = key;
    }

    /** A new CA for the cluster {@code clusterName} (its id goes into the CA's name, so two clusters never share one). */
    public static ClusterCa create(String clusterName, UUID clusterId) {
        KeyPair kp = newKeyPair();
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Vigil cluster " + clusterName)
                .addRDN(BCStyle.CN, "Vigil CA " + clusterId).build();
        Instant now = Instant.now();
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(CA_LIFETIME)), name, kp.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
            return new ClusterCa(sign(b, kp.getPrivate()), kp.getPrivate());
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot create the cluster CA: " + e, e);
        }
    }

    /** Reads {@code ca.crt} and {@code ca.key} from {@code dir}. */
    public static ClusterCa load(Path dir) {
        X509Certificate cert = Pem.readCertificates(dir.resolve(CA_CERT)).get(0);
        PrivateKey key = Pem.readPrivateKey(dir.resolve(CA_KEY));
        return of(cert, key);
    }

    public static boolean existsIn(Path dir) { return Files.exists(dir.resolve(CA_KEY)); }

    static ClusterCa of(X509Certificate cert, PrivateKey key) {
        if (cert.getBasicConstraints() < 0) throw new VigilException("the certificate " + cert.getSubjectX500Principal() + " is not a CA certificate");
        return new ClusterCa(cert, key);
    }

    /** Restores a CA from its PEM texts (as a joining member receives them). */
    public static ClusterCa fromPem(String certPem, String keyPem) {
        return of(Pem.parseCertificates("CA certificate", certPem).get(0), Pem.parsePrivateKey("CA key", keyPem));
    }

    /** Writes {@code ca.crt} (0644) and {@code ca.key} (0600). */
    public void save(Path dir) {
        Pem.write(dir.resolve(CA_CERT), Pem.certificates(List.of(certificate)));
        Pem.write(dir.resolve(CA_KEY), Pem.privateKey(key));
    }

    public X509Certificate certificate() { return certificate; }

    /** Certificates as PEM text. */
    public static String pem(List<X509Certificate> certs) { return Pem.certificates(certs); }

    /** The certificates in a PEM file (e.g. a cluster's {@code ca.crt}). */
    public static List<X509Certificate> readCertificates(Path file) { return Pem.readCertificates(file); }

    public String certificatePem() { return Pem.certificates(List.of(certificate)); }

    /** The CA key as PEM: only for handing it to a new voting member over an authenticated channel. */
    public String keyPem() { return Pem.privateKey(key); }

    /** The pin of this CA: SHA-256 of its public key (SubjectPublicKeyInfo), in hex, as join tokens carry it. */
    public String pin() { return pin(certificate); }

    public static String pin(X509Certificate cert) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A new key pair and certificate for node {@code nodeId}, valid for the hosts (IP addresses or DNS names) it serves on. */
    public NodeTls issueNode(String nodeId, Collection<String> hosts) {
        KeyPair kp = newKeyPair();
        X509Certificate cert = sign(PeerIdentity.node(nodeId), kp.getPublic(), hosts, CERT_LIFETIME);
        return NodeTls.of(List.of(certificate), List.of(cert, certificate), kp.getPrivate());
    }

    /** A new key pair and client certificate for an administration client ({@code ADMIN} or {@code READ_ONLY}). */
    public NodeTls issueClient(PeerIdentity.Kind role, String name) {
        if (role == PeerIdentity.Kind.NODE) throw new IllegalArgumentException("a client is ADMIN or READ_ONLY");
        KeyPair kp = newKeyPair();
        X509Certificate cert = sign(new PeerIdentity(role, name), kp.getPublic(), List.of(), CERT_LIFETIME);
        return NodeTls.of(List.of(certificate), List.of(cert, certificate), kp.getPrivate());
    }

    /**
     * Signs a certificate for {@code identity} and {@code publicKey}. Node certificates serve and call (server and
     * client authentication) and name the hosts they serve on; client certificates only call.
     */
    public X509Certificate sign(PeerIdentity identity, PublicKey publicKey, Collection<String> hosts, Duration lifetime) {
        Instant now = Instant.now();
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.OU, identity.kind().label())
                .addRDN(BCStyle.CN, identity.name()).build();
        List<GeneralName> names = new ArrayList<>();
        names.add(new GeneralName(GeneralName.uniformResourceIdentifier, identity.uri()));
        Set<String> seen = new LinkedHashSet<>(hosts);
        for (String h : seen) names.add(new GeneralName(isIpAddress(h) ? GeneralName.iPAddress : GeneralName.dNSName, h));
        boolean node = identity.kind() == PeerIdentity.Kind.NODE;
        try {
            JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(certificate, serial(), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(lifetime)), subject, publicKey)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment))
                    .addExtension(Extension.extendedKeyUsage, false, node
                            ? new ExtendedKeyUsage(new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})
                            : new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))
                    .addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(new GeneralName[0])))
                    .addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(certificate));
            return sign(b, key);
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot sign a certificate for " + identity + ": " + e, e);
        }
    }

    /** Signs a certificate for a PKCS#10 request, with the identity and hosts the caller decided (never those the request asks for). */
    public X509Certificate sign(PeerIdentity identity, byte[] csr, Collection<String> hosts) {
        return sign(identity, CertificateRequests.verifiedPublicKey(csr), hosts, CERT_LIFETIME);
    }

    /** The public key of a PKCS#10 request, after checking the request is signed with its private key. */
    public static PublicKey requestKey(byte[] csr) { return CertificateRequests.verifiedPublicKey(csr); }

    private static boolean isIpAddress(String host) {
        if (host.matches("[0-9.]+") || host.contains(":")) {
            try {
                InetAddress.getByName(host);
                return true;
            } catch (java.net.UnknownHostException e) {
                return false;
            }
        }
        return false;
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer) {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate: " + e, e);
        }
    }

    private static BigInteger serial() { return new BigInteger(127, RANDOM).add(BigInteger.ONE); }

    /** A fresh EC P-256 key pair. */
    static KeyPair newKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("no EC P-256 key generator in this JVM", e);
        }
    }
}
