package vigil.raft.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import vigil.api.VigilException;

/** PKCS#10 certificate requests: a host proves it holds the private key of the public key it wants certified. */
final class CertificateRequests {
    private CertificateRequests() {}

    static byte[] create(KeyPair kp, String subject) {
        try {
            return new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=" + subject), kp.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())).getEncoded();
        } catch (OperatorCreationException | IOException e) {
            throw new IllegalStateException("cannot create a certificate request: " + e, e);
        }
    }

    static PublicKey verifiedPublicKey(byte[] der) {
        try {
            JcaPKCS10CertificationRequest r = new JcaPKCS10CertificationRequest(der);
            PublicKey key = java.security.KeyFactory.getInstance("EC").generatePublic(new java.security.spec.X509EncodedKeySpec(r.getSubjectPublicKeyInfo().getEncoded()));
            if (!r.isSignatureValid(new JcaContentVerifierProviderBuilder().build(key))) {
                throw new VigilException("the certificate request's signature does not match its key");
            }
            return key;
        } catch (IOException | RuntimeException | OperatorCreationException | PKCSException | GeneralSecurityException e) {
            if (e instanceof VigilException v) throw v;
            throw new VigilException("not a valid certificate request: " + e.getMessage());
        }
    }
}
