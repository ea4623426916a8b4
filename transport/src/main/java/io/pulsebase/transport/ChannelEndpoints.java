package io.pulsebase.transport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pulsebase.core.Node;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.channel.ChannelResults;
import io.pulsebase.core.channel.ChannelService;
import io.pulsebase.core.hooks.HookEvent;
import io.pulsebase.core.policy.ChannelAction;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import io.pulsebase.protocol.RawJson;
import java.io.IOException;

/**
 * {@code POST /v1/publish}, {@code GET /v1/history} and {@code GET /v1/presence}: the channel commands for backends.
 * A publish body is decoded exactly like a WebSocket {@code publish} (same fields, same errors) and goes through
 * the same {@link ChannelService}; REST has no per-connection publish rate. The channel rules are asked as soon as the
 * topic is read. Runs on the blocking executor.
 */
final class ChannelEndpoints {
    private final Node node;

    ChannelEndpoints(Node node) {
        this.node = node;
    }

    /** {@code POST /v1/publish {"topic", "event", "data", "persist", "id"}}. */
    RestResponse publish(RestRequest request, Identity caller) {
        JsonNode tree;
        try {
            tree = request.body().length == 0 ? null : node.codec().mapper().readTree(request.body());
        } catch (IOException e) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "request body is not valid JSON");
        }
        if (tree == null || !tree.isObject()) {
            throw new ProtocolException(ErrorCode.INVALID_JSON, "request body must be a JSON object");
        }
        ((ObjectNode) tree).put("type", "publish");
        ((ObjectNode) tree).remove("ref");
        ClientMessage.Publish p = (ClientMessage.Publish) node.codec().decodeClient(tree);
        node.gatekeeper().requireChannel(caller, ChannelAction.PUBLISH, p.topic());
        node.gatekeeper().publishing(caller);
        if (!node.config().hooks().isEmpty()) { // the event is built only when a hook listens
            node.config().hooks().run(new HookEvent.Message("rest", caller, p.topic(), p.event(),
                    RawJson.of(node.codec().mapper(), p.data()), p.persist()));
        }
        ChannelService.Published published = node.space(caller).channels().publish(p.topic(), p.event(), p.data(), p.persist(),
                p.id(), caller.subject(), request.body().length);
        return RestResponse.json(200, ChannelResults.published(published));
    }

    /** {@code GET /v1/history?topic=&limit=&before=}. */
    RestResponse history(RestRequest request, Identity caller) {
        String topic = requiredTopic(request, caller, ChannelAction.HISTORY);
        String limitText = request.param("limit");
        int limit = 0;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText.trim());
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST, "query parameter 'limit' must be a positive integer");
            }
        }
        String before = request.param("before");
        long beforePosition = before == null || before.isBlank() ? Long.MAX_VALUE : Positions.parse(before.trim());
        return RestResponse.json(200, ChannelResults.history(topic,
                node.space(caller).channels().history(topic, beforePosition, limit)));
    }

    /** {@code GET /v1/presence?topic=}. */
    RestResponse presence(RestRequest request, Identity caller) {
        String topic = requiredTopic(request, caller, ChannelAction.PRESENCE);
        return RestResponse.json(200, ChannelResults.members(topic, node.space(caller).channels().members(topic)));
    }

    /** The {@code topic} query parameter, once the channel rules allow the caller the action on it. */
    private String requiredTopic(RestRequest request, Identity caller, ChannelAction action) {
        String topic = request.param("topic");
        if (topic == null || topic.isBlank()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "query parameter 'topic' is required");
        }
        node.gatekeeper().requireChannel(caller, action, topic);
        return topic;
    }
}
