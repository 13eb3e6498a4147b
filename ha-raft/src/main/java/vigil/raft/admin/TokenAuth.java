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

    /** Reads a token file (surrounding whitespace ignored); the message names the file, never its content. */
    public static String readTokenFile(Path file) {
        try {
            String token = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (token.isEmpty()) throw new VigilException("token file " + file + " is empty (write the cluster token into it)");
            if (!token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw new VigilException("token file " + file + " holds characters other than printable ASCII (use e.g. a hex token)");
            }
            return token;
        } catch (NoSuchFileException e) {
            throw new VigilException("token file " + file + " not found (create it with the cluster token, mode 0600)");
        } catch (IOException e) {
            throw new VigilException("cannot read token file " + file + ": " + e.getClass().getSimpleName());
        }
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
