package io.pulsebase.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.pulsebase.protocol.ErrorCode;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's {@link HttpObjectAggregator}, answering an over-long body with the JSON error body
 * ({@code 413 too_large}) instead of an empty one. The keep-alive rule is Netty's: the connection stays open
 * when the rest of the body can be skipped, and closes when the client already sent it all or asked to close.
 */
final class RestBodyAggregator extends HttpObjectAggregator {
    private final int maxBodyBytes;

    RestBodyAggregator(int maxBodyBytes) {
        super(maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
    }

    private FullHttpResponse tooLarge() {
        return HttpResponses.error(ErrorCode.TOO_LARGE, "request body is larger than " + maxBodyBytes + " bytes");
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (response instanceof FullHttpResponse full
                && full.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code()) {
            ReferenceCountUtil.release(full);
            return tooLarge();
        }
        return response;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        if (oversized instanceof FullHttpMessage
                || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized)) {
            ctx.writeAndFlush(HttpResponses.close(tooLarge())).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(tooLarge()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
