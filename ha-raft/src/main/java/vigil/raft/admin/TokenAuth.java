package vigil.raft.admin;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.VigilException;

/**
 * The cluster token guarding the admin API: the server rejects a call without the right {@code authorization:
 * Bearer <token>} header with UNAUTHENTICATED; the client attaches it to every call. The token is compared in
 * constant time and never logged or put in a message.
 */
public final class TokenAuth {
    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    static final String BEARER = "Bearer ";
    private static final Logger LOG = LoggerFactory.getLogger(TokenAuth.class);

    private TokenAuth() {}

    /** The longest token file read; a token is at most {@link #MAX_TOKEN} characters. */
    private static final int MAX_FILE = 4096;
    private static final int MIN_TOKEN = 8;
    private static final int MAX_TOKEN = 1024;

    /**
     * Reads a token file and checks that it holds a token: one line of {@value #MIN_TOKEN} to {@value #MAX_TOKEN}
     * characters from {@code A-Z a-z 0-9 . _ ~ + / = -} (hex, base64 or URL-safe), surrounding whitespace ignored. A
     * file that is not one (a directory, {@code /etc/passwd}, a key pair) is refused before anything is sent anywhere;
     * the message names the file and the rule, never its content. A token file others can read is used, with a warning.
     */
    public static String readTokenFile(Path file) {
        byte[] bytes;
        try {
            if (!Files.isRegularFile(file)) {
                if (!Files.exists(file)) throw new NoSuchFileException(file.toString());
                throw new VigilException("token file " + file + " is not a regular file (give the file that holds the cluster token)");
            }
            try (var in = Files.newInputStream(file)) {
                bytes = in.readNBytes(MAX_FILE + 1);
            }
        } catch (NoSuchFileException e) {
            throw new VigilException("token file " + file + " not found (create it with the cluster token, mode 0600)");
        } catch (IOException e) {
            throw new VigilException("cannot read token file " + file + ": " + e.getClass().getSimpleName());
        }
        if (bytes.length > MAX_FILE) {
            throw new VigilException("token file " + file + " is larger than " + MAX_FILE + " bytes: it does not hold a cluster token");
        }
        String token = new String(bytes, StandardCharsets.ISO_8859_1).trim();
        if (token.isEmpty()) throw new VigilException("token file " + file + " is empty (write the cluster token into it)");
        if (token.chars().anyMatch(c -> c == '\n' || c == '\r')) {
            throw new VigilException("token file " + file + " holds more than one line: it does not hold a cluster token");
        }
        if (!token.chars().allMatch(TokenAuth::tokenChar)) {
            throw new VigilException("token file " + file + " holds characters a token does not have (use e.g. a hex token, as 'vigil init' writes)");
        }
        if (token.length() < MIN_TOKEN || token.length() > MAX_TOKEN) {
            throw new VigilException("token file " + file + " holds " + token.length() + " characters; a token has " + MIN_TOKEN + " to " + MAX_TOKEN);
        }
        try {
            if (vigil.api.spi.PrivateFiles.openToOthers(file)) {
                LOG.warn("token file {} can be read by other users: make it owner-only (chmod 600 {})", file, file);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // permissions cannot be read here; the token itself is fine
        }
        return token;
    }

    private static boolean tokenChar(int c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || ".~_+/=-".indexOf(c) >= 0;
    }

    /** A server interceptor admitting only calls that present {@code token}. */
    public static ServerInterceptor server(String token) {
        byte[] expected = token.getBytes(StandardCharsets.US_ASCII);
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String header = headers.get(AUTHORIZATION);
                String problem = null;
                if (header == null) {
                    problem = "missing cluster token: this cluster requires one (vigil: --token-file FILE; other clients: header 'authorization: Bearer <token>')";
                } else if (!header.startsWith(BEARER)
                        || !MessageDigest.isEqual(expected, header.substring(BEARER.length()).trim().getBytes(StandardCharsets.US_ASCII))) {
                    problem = "invalid cluster token: it does not match this cluster's token (check --token-file: use the token file of this cluster)";
                }
                if (problem != null) {
                    LOG.warn("admin: rejected a call of {}: {}", call.getMethodDescriptor().getBareMethodName(), header == null ? "no token" : "wrong token");
                    call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
    }

    /** Call credentials presenting {@code token}. */
    public static CallCredentials client(String token) {
        return new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                Metadata m = new Metadata();
                m.put(AUTHORIZATION, BEARER + token);
                applier.apply(m);
            }

            @Override
            public String toString() { return "cluster token"; }
        };
    }
}
