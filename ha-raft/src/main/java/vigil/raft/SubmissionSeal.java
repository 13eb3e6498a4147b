package vigil.raft;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import vigil.raft.proto.SubmissionP;

/**
 * Seals what a node (or an authorized client) submits to the Raft leader: the encoded entry, the sender's name, and
 * an HMAC-SHA256 over both with a key derived from the cluster secret. The leader appends only submissions it can
 * open, and stamps the entry with the sender it verified. A Raft client without the secret can commit nothing; a
 * holder of the secret can name any sender, so the controller's own commands never take this path (they are
 * submitted inside the leader's process, see {@code VigilNode}).
 */
final class SubmissionSeal {
    private static final String ALGORITHM = "HmacSHA256";
    private final SecretKeySpec key;

    /** A submission the leader opened: who sent it and the entry bytes. */
    record Opened(String origin, byte[] entry) {}

    /** Thrown for bytes that are not a sealed submission of this cluster; the message never holds the bytes. */
    static final class NotSealed extends Exception {
        private static final long serialVersionUID = 1L;

        NotSealed(String message) { super(message); }
    }

    SubmissionSeal(String clusterSecret) {
        if (clusterSecret == null || clusterSecret.isBlank()) throw new IllegalArgumentException("the cluster secret is empty");
        byte[] derived = mac(new SecretKeySpec(clusterSecret.getBytes(StandardCharsets.UTF_8), ALGORITHM),
                "vigil raft submission key v1".getBytes(StandardCharsets.US_ASCII));
        this.key = new SecretKeySpec(derived, ALGORITHM);
    }

    byte[] seal(String origin, byte[] entry) {
        return SubmissionP.newBuilder().setEntry(ByteString.copyFrom(entry)).setOrigin(origin)
                .setMac(ByteString.copyFrom(macOf(origin, entry))).build().toByteArray();
    }

    Opened open(byte[] submission) throws NotSealed {
        SubmissionP s;
        try {
            s = SubmissionP.parseFrom(submission);
        } catch (InvalidProtocolBufferException e) {
            throw new NotSealed("not a Vigil submission (" + submission.length + " bytes that do not parse)");
        }
        if (s.getOrigin().isEmpty() || s.getMac().isEmpty()) throw new NotSealed("not a Vigil submission (no sender or no seal)");
        byte[] entry = s.getEntry().toByteArray();
        if (!MessageDigest.isEqual(macOf(s.getOrigin(), entry), s.getMac().toByteArray())) {
            throw new NotSealed("submission from \"" + printable(s.getOrigin()) + "\" is not sealed with this cluster's secret");
        }
        return new Opened(s.getOrigin(), entry);
    }

    private byte[] macOf(String origin, byte[] entry) {
        byte[] name = origin.getBytes(StandardCharsets.UTF_8);
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(key);
            m.update(ByteBuffer.allocate(4).putInt(name.length).array());
            m.update(name);
            m.update(entry);
            return m.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    private static byte[] mac(SecretKeySpec k, byte[] data) {
        try {
            Mac m = Mac.getInstance(ALGORITHM);
            m.init(k);
            return m.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** A sender name as it may appear in a log line: at most 64 printable ASCII characters. */
    static String printable(String s) { return printable(s, 64); }

    /** Text from outside as it may appear in a log line: at most {@code max} printable ASCII characters. */
    static String printable(String s, int max) {
        if (s == null) return "";
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return b.toString();
    }
}
