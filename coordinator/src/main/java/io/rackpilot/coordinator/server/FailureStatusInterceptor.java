package io.rackpilot.coordinator.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Ends a call whose handler threw with the status {@link StatusMapping} gives the failure (a full
 * disk is RESOURCE_EXHAUSTED, a stopping coordinator UNAVAILABLE), instead of gRPC's
 * "UNKNOWN: Application error processing RPC". Install it outermost.
 */
public final class FailureStatusInterceptor
        implements ServerInterceptor
{
    private static final Logger log = Logger.getLogger(FailureStatusInterceptor.class.getName());

    @Override
    public <RequestT, ResponseT> ServerCall.Listener<RequestT> interceptCall(ServerCall<RequestT, ResponseT> call, Metadata headers, ServerCallHandler<RequestT, ResponseT> next)
    {
        GuardedCall<RequestT, ResponseT> guarded = new GuardedCall<>(call);
        ServerCall.Listener<RequestT> listener;
        try {
            listener = next.startCall(guarded, headers);
        }
        catch (RuntimeException e) {
            guarded.fail(e);
            return new ServerCall.Listener<>() {};
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener)
        {
            @Override
            public void onMessage(RequestT message)
            {
                try {
                    super.onMessage(message);
                }
                catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onHalfClose()
            {
                try {
                    super.onHalfClose();
                }
                catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onReady()
            {
                try {
                    super.onReady();
                }
                catch (RuntimeException e) {
                    guarded.fail(e);
                }
            }

            @Override
            public void onCancel()
            {
                try {
                    super.onCancel();
                }
                catch (RuntimeException e) {
                    log.log(Level.WARNING, "a cancelled " + call.getMethodDescriptor().getFullMethodName() + " call failed: " + e.getMessage(), e);
                }
            }

            @Override
            public void onComplete()
            {
                try {
                    super.onComplete();
                }
                catch (RuntimeException e) {
                    log.log(Level.WARNING, "a completed " + call.getMethodDescriptor().getFullMethodName() + " call failed: " + e.getMessage(), e);
                }
            }
        };
    }

    /**
     * Knows whether the call was closed, so that a failure after the answer closes nothing twice.
     */
    private static final class GuardedCall<RequestT, ResponseT>
            extends ForwardingServerCall.SimpleForwardingServerCall<RequestT, ResponseT>
    {
        private boolean closed;

        GuardedCall(ServerCall<RequestT, ResponseT> delegate)
        {
            super(delegate);
        }

        @Override
        public synchronized void sendMessage(ResponseT message)
        {
            super.sendMessage(message);
        }

        @Override
        public synchronized void close(Status status, Metadata trailers)
        {
            closed = true;
            super.close(status, trailers);
        }

        synchronized void fail(RuntimeException failure)
        {
            Status status = StatusMapping.of(failure);
            String method = getMethodDescriptor().getFullMethodName();
            if (status.getCode() == Status.Code.INTERNAL) {
                log.log(Level.SEVERE, method + " failed", failure);
            }
            else {
                log.warning(method + " answered " + status.getCode() + ": " + status.getDescription());
            }
            if (closed) {
                return;
            }
            closed = true;
            try {
                super.close(status.withCause(failure), new Metadata());
            }
            catch (IllegalStateException alreadyClosed) {
                // the handler had closed it through another path
            }
        }
    }
}
