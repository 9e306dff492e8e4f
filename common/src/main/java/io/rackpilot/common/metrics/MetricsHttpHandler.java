package io.rackpilot.common.metrics;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.IdleStateEvent;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import static java.util.Objects.requireNonNull;

/**
 * Answers aggregated HTTP requests from the route table; never lets a route's failure escape.
 */
@Sharable
final class MetricsHttpHandler
        extends SimpleChannelInboundHandler<FullHttpRequest>
{
    private static final Logger log = Logger.getLogger(MetricsHttpHandler.class.getName());

    private final Map<String, HttpRoute> routes;

    MetricsHttpHandler(Map<String, HttpRoute> routes)
    {
        this.routes = Map.copyOf(requireNonNull(routes, "routes is null"));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request)
    {
        boolean keepAlive = request.decoderResult().isSuccess() && HttpUtil.isKeepAlive(request);
        HttpResponse answer = answer(request);
        byte[] body = answer.body();
        boolean head = HttpMethod.HEAD.equals(request.method());
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(answer.status()),
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CONNECTION, keepAlive ? HttpHeaderValues.KEEP_ALIVE : HttpHeaderValues.CLOSE);
        if (answer.status() == 405) {
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        }
        ChannelFuture written = context.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private HttpResponse answer(FullHttpRequest request)
    {
        if (!request.decoderResult().isSuccess()) {
            return HttpResponse.text(400, "bad request\n");
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        HttpRoute route = routes.get(uri.path());
        if (route == null) {
            return HttpResponse.text(404, "not found\n");
        }
        HttpMethod method = request.method();
        if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
            return HttpResponse.text(405, "method not allowed: use GET or HEAD\n");
        }
        Map<String, String> headers = new HashMap<>();
        request.headers().forEach(header -> headers.merge(header.getKey().toLowerCase(Locale.ROOT), header.getValue(), (first, second) -> first + "," + second));
        HttpRequestInfo info = new HttpRequestInfo(method.name(), uri.path(), uri.parameters(), headers);
        try {
            HttpResponse answer = route.handler().apply(info);
            if (answer == null) {
                log.warning("the handler of " + route.path() + " gave no response");
                return HttpResponse.text(500, "internal error\n");
            }
            return answer;
        }
        catch (RuntimeException e) {
            log.log(Level.WARNING, "the handler of " + route.path() + " failed", e);
            return HttpResponse.text(500, "internal error\n");
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event)
            throws Exception
    {
        if (event instanceof IdleStateEvent) {
            context.close();
            return;
        }
        super.userEventTriggered(context, event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause)
    {
        log.log(Level.FINE, "closing a metrics HTTP connection after an error", cause);
        context.close();
    }
}
