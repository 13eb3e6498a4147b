package vigil.raft.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import vigil.api.VigilException;

/** PEM files of certificates and PKCS#8 private keys; keys are written 0600 from creation, atomically. */
final class Pem {
    private Pem() {}

    static String certificates(List<X509Certificate> certs) {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : certs) {
            try {
                sb.append(block("CERTIFICATE", c.getEncoded()));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot encode certificate " + c.getSubjectX500Principal(), e);
            }
        }
        return sb.toString();
    }

    static String privateKey(PrivateKey key) { return block("PRIVATE KEY", key.getEncoded()); }

    private static String block(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    static List<X509Certificate> parseCertificates(String source, String text) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (byte[] der : blocks(source, text, "CERTIFICATE")) out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(der)));
        } catch (GeneralSecurityException e) {
            throw new VigilException(source + ": not a valid X.509 certificate: " + e.getMessage());
        }
        if (out.isEmpty()) throw new VigilException(source + ": no certificate in it (expected a PEM 'BEGIN CERTIFICATE' block)");
        return out;
    }

    static PrivateKey parsePrivateKey(String source, String text) {
        List<byte[]> ders = blocks(source, text, "PRIVATE KEY");
        if (ders.size() != 1) throw new VigilException(source + ": expected one PEM 'BEGIN PRIVATE KEY' block (PKCS#8), found " + ders.size());
        for (String alg : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(ders.get(0)));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new VigilException(source + ": not an EC, RSA or Ed25519 private key");
    }

    private static List<byte[]> blocks(String source, String text, String type) {
        List<byte[]> out = new ArrayList<>();
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int at = 0;
        while (true) {
            int b = text.indexOf(begin, at);
            if (b < 0) return out;
            int e = text.indexOf(end, b);
            if (e < 0) throw new VigilException(source + ": unterminated PEM block (missing '" + end + "')");
            try {
                out.add(Base64.getMimeDecoder().decode(text.substring(b + begin.length(), e)));
            } catch (IllegalArgumentException ex) {
                throw new VigilException(source + ": corrupt PEM block: " + ex.getMessage());
            }
            at = e + end.length();
        }
    }

    static List<X509Certificate> readCertificates(Path file) { return parseCertificates(file.toString(), read(file)); }

    static PrivateKey readPrivateKey(Path file) { return parsePrivateKey(file.toString(), read(file)); }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new VigilException(file + " not found");
        } catch (IOException e) {
            throw new VigilException("cannot read " + file + ": " + e.getClass().getSimpleName() + " " + e.getMessage());
        }
    }

    /** Writes {@code text} to {@code file} atomically, created 0600: a key is never readable by others, not even briefly. */
    static void write(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            // owner-only whatever the umask, certificates too, like every file setup writes
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(tmp);
            }
            Files.writeString(tmp, text, StandardCharsets.US_ASCII, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new VigilException("cannot write " + file + ": " + e.getMessage());
        }
    }

}
