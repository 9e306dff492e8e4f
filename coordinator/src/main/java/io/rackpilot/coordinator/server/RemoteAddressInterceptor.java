package io.rackpilot.coordinator.server;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

import java.net.SocketAddress;

/**
 * Makes the peer's address of a call available to the service handling it.
 */
public final class RemoteAddressInterceptor
        implements ServerInterceptor
{
    private static final Context.Key<SocketAddress> REMOTE_ADDRESS = Context.key("rackpilot-remote-address");

    public static SocketAddress current()
    {
        return REMOTE_ADDRESS.get();
    }

    @Override
    public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(ServerCall<RequestT, ResponseT> call, Metadata headers, ServerCallHandler<RequestT, ResponseT> next)
    {
        SocketAddress address = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return Contexts.interceptCall(Context.current().withValue(REMOTE_ADDRESS, address), call, headers, next);
    }
}
