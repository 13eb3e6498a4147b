package vigil.raft.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import vigil.api.VigilException;

/**
 * One-time join tokens, kept by the node that made them (only a hash of each secret, in memory): a token admits one
 * host, within its lifetime, and is gone after that use or a restart of the node. Printed as
 * {@code ID.SECRET.CA-PIN}: the pin lets the joining host check that it talks to this cluster before it sends the
 * secret.
 */
public final class JoinTokens {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_OPEN = 100;

    private record Entry(byte[] secretHash, Instant expires) {}

    /** A token as the joining host uses it. */
    public record Token(String id, String secret, String caPin) {
        @Override
        public String toString() { return id + "." + secret + "." + caPin; }

        /** Parses {@code ID.SECRET.CA-PIN}; the error never repeats the secret. */
        public static Token parse(String text) {
            String[] p = text == null ? new String[0] : text.trim().split("\\.");
            if (p.length != 3 || !p[0].matches("[0-9a-f]{8}") || !p[1].matches("[0-9a-f]{32}") || !p[2].matches("[0-9a-f]{64}")) {
                throw new VigilException("the join token is malformed: expected ID.SECRET.CA-PIN as 'vigil token create' prints it");
            }
            return new Token(p[0], p[1], p[2]);
        }
    }

    private final Map<String, Entry> open = new ConcurrentHashMap<>();
    private final InstantSource clock;

    public JoinTokens(InstantSource clock) { this.clock = clock; }

    /** A new token valid for {@code ttl}. */
    public Token create(Duration ttl, String caPin) {
        purge();
        if (open.size() >= MAX_OPEN) throw new VigilException("too many open join tokens on this node (" + MAX_OPEN + "); use or let some expire");
        byte[] id = new byte[4];
        byte[] secret = new byte[16];
        RANDOM.nextBytes(id);
        RANDOM.nextBytes(secret);
        Token t = new Token(HexFormat.of().formatHex(id), HexFormat.of().formatHex(secret), caPin);
        open.put(t.id(), new Entry(hash(t.secret()), clock.instant().plus(ttl)));
        return t;
    }

    /** Uses up the token {@code id} if {@code secret} is its secret and it has not expired; else refuses, saying why. */
    public void consume(String id, String secret) {
        purge();
        Entry e = open.get(id == null ? "" : id);
        if (e == null || !MessageDigest.isEqual(e.secretHash(), hash(secret == null ? "" : secret))) {
            throw new VigilException("the join token is unknown, used or expired on this node (create one with 'vigil token create' on the node you join through)");
        }
        if (!open.remove(id, e)) throw new VigilException("the join token was just used by another host");
    }

    private void purge() {
        Instant now = clock.instant();
        for (Iterator<Entry> it = open.values().iterator(); it.hasNext(); ) if (!it.next().expires().isAfter(now)) it.remove();
    }

    private static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
