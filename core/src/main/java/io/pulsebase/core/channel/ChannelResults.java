package io.pulsebase.core.channel;

import io.pulsebase.core.log.ChannelMessage;
import io.pulsebase.core.presence.PresenceMember;
import io.pulsebase.protocol.Positions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The result fields of channel commands, one shape for the WebSocket {@code reply} and the REST answer: positions
 * as strings of digits, timestamps as ISO-8601 UTC.
 */
public final class ChannelResults {
    private ChannelResults() {
    }

    /** {@code position} (persisted only) and {@code duplicate} (repeated id only). */
    public static Map<String, Object> published(ChannelService.Published published) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (published.position() > 0) {
            result.put("position", Positions.format(published.position()));
        }
        if (published.duplicate()) {
            result.put("duplicate", true);
        }
        return result;
    }

    /** {@code topic}, {@code messages} (newest first) and {@code more}. */
    public static Map<String, Object> history(String topic, ChannelService.HistoryPage page) {
        List<Map<String, Object>> messages = new ArrayList<>(page.messages().size());
        for (ChannelMessage m : page.messages()) {
            Map<String, Object> message = new LinkedHashMap<>();
            message.put("event", m.event());
            message.put("data", m.data());
            message.put("timestamp", Instant.ofEpochMilli(m.timestamp()).toString());
            message.put("position", Positions.format(m.position()));
            if (m.id() != null) {
                message.put("id", m.id());
            }
            if (m.userId() != null) {
                message.put("userId", m.userId());
            }
            messages.add(message);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("topic", topic);
        result.put("messages", messages);
        result.put("more", page.more());
        return result;
    }

    /** {@code topic} and {@code members: [{key, userId, data}]} ({@code userId} only for members with a user). */
    public static Map<String, Object> members(String topic, List<PresenceMember> members) {
        List<Map<String, Object>> list = new ArrayList<>(members.size());
        for (PresenceMember m : members) {
            Map<String, Object> member = new LinkedHashMap<>();
            member.put("key", m.key());
            if (m.userId() != null) {
                member.put("userId", m.userId());
            }
            member.put("data", m.state());
            list.add(member);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("topic", topic);
        result.put("members", list);
        return result;
    }
}
