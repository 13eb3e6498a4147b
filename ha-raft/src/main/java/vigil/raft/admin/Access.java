package vigil.raft.admin;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import vigil.raft.tls.GrpcTls;
import vigil.raft.tls.PeerIdentity;

/**
 * Who may call what on a node's gRPC port. Callers are known by their cluster certificate (mutual TLS) or by the
 * cluster token (the token over TLS, or in plaintext on an insecure lab cluster). The node agent answers only the
 * cluster's nodes; the admin API gives the {@link Role#READ_ONLY} role (status and events, never secrets) to
 * read-only clients and {@link Role#ADMIN} (everything) to nodes, admin clients and holders of the token.
 */
public final class Access {
    /** What a caller of the admin API may do. */
    public enum Role { READ_ONLY, ADMIN }

    /** The role of the current call, for services that vary what they return by it. */
    static final Context.Key<Role> ROLE = Context.key("vigil-role");
    static final Set<String> READ_ONLY_METHODS = Set.of("Status", "Watch", "GetConfig");
    private static final Logger LOG = LoggerFactory.getLogger(Access.class);

    private Access() {}

    /**
     * The admin API's gate: refuses a call without credentials (UNAUTHENTICATED) or with too small a role
     * (PERMISSION_DENIED), and records the role for the service.
     *
     * @param token   the cluster token (null: tokens are not accepted)
     * @param members whether a node id belongs to the cluster now
     */
    public static ServerInterceptor admin(String token, Predicate<String> members) {
        byte[] expected = token == null ? null : token.getBytes(StandardCharsets.US_ASCII);
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                String method = call.getMethodDescriptor().getBareMethodName();
                Optional<PeerIdentity> cert = GrpcTls.caller(call);
                Role role = null;
                if (cert.isPresent()) {
                    PeerIdentity p = cert.get();
                    if (p.kind() == PeerIdentity.Kind.ADMIN || p.kind() == PeerIdentity.Kind.NODE && members.test(p.name())) role = Role.ADMIN;
                    else if (p.kind() == PeerIdentity.Kind.READ_ONLY) role = Role.READ_ONLY;
                }
                String header = headers.get(TokenAuth.AUTHORIZATION);
                boolean tokenGiven = header != null;
                if (tokenGiven && expected != null && header.startsWith(TokenAuth.BEARER)
                        && MessageDigest.isEqual(expected, header.substring(TokenAuth.BEARER.length()).trim().getBytes(StandardCharsets.US_ASCII))) {
                    role = Role.ADMIN;
                }
                if (role == null) {
                    String problem = tokenGiven ? "invalid cluster token: it does not match this cluster's token (check --token-file: use the token file of this cluster)"
                            : cert.isPresent() ? cert.get() + " has no role in this cluster (a node that is not a member)"
                            : "no credentials: this cluster requires a client certificate of its CA or its token (vigil: --token-file FILE; other clients: header 'authorization: Bearer <token>')";
                    LOG.warn("admin: refused a call of " + method + ": " + (tokenGiven ? "wrong token" : cert.map(Object::toString).orElse("no credentials")));
                    call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                if (role == Role.READ_ONLY && !READ_ONLY_METHODS.contains(method)) {
                    LOG.warn("admin: refused " + method + " to read-only " + cert.get());
                    call.close(Status.PERMISSION_DENIED.withDescription(cert.get() + " is read-only: " + method + " needs the admin role"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return Contexts.interceptCall(Context.current().withValue(ROLE, role), call, headers, next);
            }
        };
    }

    /**
     * The node agent's gate: only a node of the cluster may call it (its certificate), or, on an insecure lab
     * cluster (no TLS), a holder of the token.
     */
    public static ServerInterceptor nodesOnly(String token, Predicate<String> members) {
        ServerInterceptor tokenGate = token == null ? null : TokenAuth.server(token);
        return new ServerInterceptor() {
            @Override
            public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
                if (!GrpcTls.isTls(call)) {
                    if (tokenGate != null) return tokenGate.interceptCall(call, headers, next);
                    call.close(Status.UNAUTHENTICATED.withDescription("plaintext call on a TLS port"), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                Optional<PeerIdentity> cert = GrpcTls.caller(call);
                if (cert.isEmpty() || cert.get().kind() != PeerIdentity.Kind.NODE || !members.test(cert.get().name())) {
                    String why = cert.map(c -> c + " is not a node of this cluster").orElse("no cluster certificate");
                    LOG.warn("agent: refused a call of " + call.getMethodDescriptor().getBareMethodName() + ": " + why);
                    call.close(Status.PERMISSION_DENIED.withDescription(why), new Metadata());
                    return new ServerCall.Listener<>() {};
                }
                return next.startCall(call, headers);
            }
        };
    }
}
