package vigil.raft.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Who a cluster certificate speaks for, as written in its subject alternative name ({@code vigil:node:n1},
 * {@code vigil:admin:alice}, {@code vigil:read-only:monitor}): a cluster node, or an administration client with its
 * role.
 */
public record PeerIdentity(Kind kind, String name) {
    /** What a certificate may do: nodes run the cluster, admin clients change it, read-only clients only look. */
    public enum Kind {
        NODE, ADMIN, READ_ONLY;

        String label() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

        static Optional<Kind> parse(String label) {
            for (Kind k : values()) if (k.label().equals(label)) return Optional.of(k);
            return Optional.empty();
        }
    }

    private static final String SCHEME = "vigil:";
    private static final int URI_NAME = 6;

    public PeerIdentity {
        if (kind == null) throw new IllegalArgumentException("kind is missing");
        if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) throw new IllegalArgumentException("invalid name \"" + name + "\"");
    }

    public static PeerIdentity node(String id) { return new PeerIdentity(Kind.NODE, id); }

    /** The subject alternative name URI that carries this identity. */
    public String uri() { return SCHEME + kind.label() + ":" + name; }

    /** The identity a certificate carries, if it carries exactly one. */
    public static Optional<PeerIdentity> of(X509Certificate cert) {
        Collection<List<?>> names;
        try {
            names = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            return Optional.empty();
        }
        if (names == null) return Optional.empty();
        PeerIdentity found = null;
        for (List<?> n : names) {
            if (!Integer.valueOf(URI_NAME).equals(n.get(0)) || !(n.get(1) instanceof String uri) || !uri.startsWith(SCHEME)) continue;
            String[] parts = uri.substring(SCHEME.length()).split(":", 2);
            if (parts.length != 2) return Optional.empty();
            Optional<Kind> k = Kind.parse(parts[0]);
            if (k.isEmpty() || found != null) return Optional.empty();
            try {
                found = new PeerIdentity(k.get(), parts[1]);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
        return Optional.ofNullable(found);
    }

    @Override
    public String toString() { return kind.label() + " " + name; }
}
