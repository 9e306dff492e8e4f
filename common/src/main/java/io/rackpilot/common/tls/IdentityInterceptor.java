package io.rackpilot.common.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLSession;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static java.util.Objects.requireNonNull;

/**
 * Authenticates every call by its TLS client certificate: the caller's {@link Identity} comes
 * from the certificate's {@code rackpilot://<role>/<id>} URI subject alternative name and is
 * available to the service as {@link #current()}. A call without a valid identity is closed
 * with UNAUTHENTICATED; a call whose role the interceptor does not allow, with PERMISSION_DENIED.
 */
public final class IdentityInterceptor
        implements ServerInterceptor
{
    public static final Context.Key<Identity> IDENTITY = Context.key("rackpilot-identity");

    private static final Logger log = LoggerFactory.getLogger(IdentityInterceptor.class);

    private final Set<IdentityRole> allowedRoles;

    private IdentityInterceptor(Set<IdentityRole> allowedRoles)
    {
        this.allowedRoles = Set.copyOf(requireNonNull(allowedRoles, "allowedRoles is null"));
    }

    /**
     * Lets in every certificate that names a valid identity, whatever its role.
     */
    public static IdentityInterceptor anyRole()
    {
        return new IdentityInterceptor(EnumSet.allOf(IdentityRole.class));
    }

    /**
     * Lets in only certificates with one of these roles.
     */
    public static IdentityInterceptor requiring(IdentityRole... roles)
    {
        requireNonNull(roles, "roles is null");
        if (roles.length == 0) {
            throw new IllegalArgumentException("at least one role is required");
        }
        return new IdentityInterceptor(EnumSet.copyOf(Arrays.asList(roles)));
    }

    /**
     * The caller of the current call.
     *
     * @throws IllegalStateException outside a call that went through an IdentityInterceptor
     */
    public static Identity current()
    {
        Identity identity = IDENTITY.get();
        if (identity == null) {
            throw new IllegalStateException("no rackpilot identity in the gRPC context; install IdentityInterceptor on this service");
        }
        return identity;
    }

    /**
     * The caller of the current call, when it has one of these roles.
     *
     * @throws StatusRuntimeException PERMISSION_DENIED naming the roles required when it has not;
     *         pass it to {@code StreamObserver.onError} (gRPC sends an exception thrown from a
     *         service method as UNKNOWN)
     */
    public static Identity requireRole(IdentityRole... roles)
    {
        requireNonNull(roles, "roles is null");
        if (roles.length == 0) {
            throw new IllegalArgumentException("at least one role is required");
        }
        Identity identity = current();
        if (!Arrays.asList(roles).contains(identity.role())) {
            throw Status.PERMISSION_DENIED
                    .withDescription("this call is for " + describe(Arrays.asList(roles)) + " certificates; the caller is " + identity)
                    .asRuntimeException();
        }
        return identity;
    }

    @Override
    public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(ServerCall<RequestT, ResponseT> call, Metadata headers, ServerCallHandler<RequestT, ResponseT> next)
    {
        String method = call.getMethodDescriptor().getFullMethodName();
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        if (session == null) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("the connection is not TLS; rackpilot needs a client certificate"));
        }
        Optional<Identity> identity;
        try {
            identity = PeerIdentities.fromSession(session);
        }
        catch (IllegalArgumentException e) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription(e.getMessage()));
        }
        if (identity.isEmpty()) {
            return refuse(call, Status.UNAUTHENTICATED.withDescription("no client certificate was presented"));
        }
        if (!allowedRoles.contains(identity.get().role())) {
            return refuse(call, Status.PERMISSION_DENIED.withDescription(
                    method + " is for " + describe(allowedRoles) + " certificates; the caller is " + identity.get()));
        }
        Context context = Context.current().withValue(IDENTITY, identity.get());
        return Contexts.interceptCall(context, call, headers, next);
    }

    private static <RequestT, ResponseT> ServerCall.Listener<RequestT> refuse(ServerCall<RequestT, ResponseT> call, Status status)
    {
        log.warn("refused {} from {}: {} {}", call.getMethodDescriptor().getFullMethodName(), call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                status.getCode(), status.getDescription());
        call.close(status, new Metadata());
        return new ServerCall.Listener<>() {};
    }

    private static String describe(Iterable<IdentityRole> roles)
    {
        Set<IdentityRole> sorted = EnumSet.noneOf(IdentityRole.class);
        roles.forEach(sorted::add);
        return sorted.stream()
                .map(IdentityRole::uriName)
                .collect(Collectors.joining(" or "));
    }
}
