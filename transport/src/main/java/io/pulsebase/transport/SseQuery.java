package io.pulsebase.transport;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.pulsebase.protocol.ClientMessage;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.Operation;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the subscriptions of an SSE request: {@code topic} (repeatable, at least one), {@code events}
 * (comma-separated or repeated: operations for table topics, event names for channel topics), {@code filter},
 * {@code snapshot}, {@code since}; a {@code Last-Event-ID} header, sent by a reconnecting {@code EventSource},
 * replaces {@code since} and turns the snapshot off.
 */
final class SseQuery {
    private SseQuery() {
    }

    /** One subscribe per distinct topic, in the order given; {@link ProtocolException} on bad input. */
    static List<ClientMessage.Subscribe> subscriptions(QueryStringDecoder query, HttpHeaders headers) {
        Set<String> topics = new LinkedHashSet<>();
        for (String topic : values(query, "topic")) {
            if (!topic.isBlank()) {
                topics.add(topic.trim());
            }
        }
        if (topics.isEmpty()) {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "query parameter 'topic' is required (it may repeat)");
        }
        List<String> eventNames = names(values(query, "events"));
        boolean anyTable = topics.stream().anyMatch(t -> t.indexOf('/') < 0);
        Set<Operation> events = anyTable ? operations(eventNames) : Set.of();
        Set<String> channelEvents = eventNames.contains("*") ? Set.of() : Set.copyOf(eventNames);
        String filter = first(query, "filter");
        if (filter != null && filter.isBlank()) {
            filter = null;
        }
        boolean snapshot = bool(first(query, "snapshot"));
        String since = first(query, "since");
        String lastEventId = headers.get("Last-Event-ID");
        if (lastEventId != null && !lastEventId.isBlank()) {
            since = lastEventId.trim();
            snapshot = false;
        }
        if (since != null && since.isBlank()) {
            since = null;
        }
        if (since != null) {
            Positions.parse(since);
        }
        String f = filter;
        boolean s = snapshot;
        String p = since;
        return topics.stream().map(t -> t.indexOf('/') >= 0
                ? new ClientMessage.Subscribe(null, t, Set.of(), f, s, p, channelEvents)
                : new ClientMessage.Subscribe(null, t, events, f, s, p)).toList();
    }

    private static List<String> names(List<String> values) {
        List<String> names = new ArrayList<>();
        for (String value : values) {
            for (String name : value.split(",")) {
                if (!name.trim().isEmpty()) {
                    names.add(name.trim());
                }
            }
        }
        return names;
    }

    private static Set<Operation> operations(List<String> names) {
        EnumSet<Operation> ops = EnumSet.noneOf(Operation.class);
        for (String n : names) {
            if (n.equals("*")) {
                return Set.of();
            }
            Operation op = Operation.parse(n);
            if (op == null) {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "unknown event '" + clip(n) + "' in 'events' (INSERT, UPDATE, DELETE or *)");
            }
            ops.add(op);
        }
        return ops;
    }

    private static boolean bool(String value) {
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "", "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw new ProtocolException(ErrorCode.BAD_REQUEST, "query parameter 'snapshot' must be true or false");
        };
    }

    private static List<String> values(QueryStringDecoder query, String name) {
        return query.parameters().getOrDefault(name, List.of());
    }

    private static String first(QueryStringDecoder query, String name) {
        List<String> values = values(query, name);
        return values.isEmpty() ? null : values.get(0);
    }

    private static String clip(String s) {
        return s.length() <= 32 ? s : s.substring(0, 32) + "…";
    }
}
