package vigil.daemon;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import vigil.raft.tls.ClusterCa;

/** TLS for the tests' HTTP clients: trust a cluster's CA, as a browser or Prometheus configured for it does. */
public final class TestTls {
    private TestTls() {}

    /** A TLS client context whose only trust anchors are the CA certificates in {@code caFile}. */
    public static SSLContext trusting(Path caFile) {
        try {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (X509Certificate cert : ClusterCa.readCertificates(caFile)) trust.setCertificateEntry("ca" + i++, cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLSv1.3");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot trust " + caFile, e);
        }
    }
}
