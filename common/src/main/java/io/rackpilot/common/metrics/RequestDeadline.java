package io.rackpilot.common.metrics;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import static java.util.Objects.requireNonNull;

/**
 * Bounds how long one connection may take to send a request, so that a client trickling its
 * headers a byte at a time cannot hold the connection: a request must arrive completely (head and
 * body) within the timeout, counted from the connection's start, or, on a kept-alive connection,
 * from the first byte of the request. Otherwise the server answers 408 and closes the connection.
 * Between requests the idle timeout of the server applies instead.
 * <p>
 * One instance per connection, confined to its event loop. {@link #bytes()} goes before the HTTP
 * codec (it sees the first byte of a request), {@link #requests()} after it (it sees the end of a
 * request and of a response).
 */
final class RequestDeadline
{
    private enum State
    {
        /** A request is due: the timer runs. */
        RECEIVING,
        /** A request has arrived and is being answered. */
        ANSWERING,
        /** The answer is written; waiting for the next request's first byte. */
        IDLE,
    }

    private final long timeoutNanos;
    private final Runnable onTimeout;

    private State state = State.RECEIVING;
    private ChannelHandlerContext requestsContext;
    private ScheduledFuture<?> timer;

    RequestDeadline(Duration timeout, Runnable onTimeout)
    {
        requireNonNull(timeout, "timeout is null");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("the request timeout must be positive, got " + timeout);
        }
        this.timeoutNanos = timeout.toNanos();
        this.onTimeout = requireNonNull(onTimeout, "onTimeout is null");
    }

    /**
     * Watches the raw bytes: the first byte after an answer starts the next request's deadline.
     */
    ChannelHandler bytes()
    {
        return new ChannelInboundHandlerAdapter()
        {
            @Override
            public void channelRead(ChannelHandlerContext context, Object message)
            {
                if (state == State.IDLE && message instanceof ByteBuf bytes && bytes.isReadable()) {
                    state = State.RECEIVING;
                    schedule();
                }
                context.fireChannelRead(message);
            }
        };
    }

    /**
     * Watches decoded requests and written responses.
     */
    ChannelHandler requests()
    {
        return new ChannelDuplexHandler()
        {
            @Override
            public void handlerAdded(ChannelHandlerContext context)
            {
                requestsContext = context;
                if (context.channel().isActive()) {
                    schedule();
                }
            }

            @Override
            public void channelActive(ChannelHandlerContext context)
            {
                if (timer == null && state == State.RECEIVING) {
                    schedule();
                }
                context.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext context, Object message)
            {
                if (message instanceof LastHttpContent) {
                    state = State.ANSWERING;
                    cancel();
                }
                context.fireChannelRead(message);
            }

            @Override
            public void write(ChannelHandlerContext context, Object message, ChannelPromise promise)
            {
                if (message instanceof LastHttpContent) {
                    ChannelPromise written = promise.unvoid();
                    written.addListener(future -> {
                        if (future.isSuccess() && state == State.ANSWERING) {
                            state = State.IDLE;
                        }
                    });
                    context.write(message, written);
                    return;
                }
                context.write(message, promise);
            }

            @Override
            public void channelInactive(ChannelHandlerContext context)
            {
                cancel();
                context.fireChannelInactive();
            }

            @Override
            public void handlerRemoved(ChannelHandlerContext context)
            {
                cancel();
            }
        };
    }

    private void schedule()
    {
        cancel();
        if (requestsContext == null) {
            return;
        }
        timer = requestsContext.executor().schedule(this::expire, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancel()
    {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire()
    {
        timer = null;
        if (state != State.RECEIVING || !requestsContext.channel().isActive()) {
            return;
        }
        onTimeout.run();
        byte[] body = "request timeout: the request did not arrive in time\n".getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpResponse.TEXT_PLAIN)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        requestsContext.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
