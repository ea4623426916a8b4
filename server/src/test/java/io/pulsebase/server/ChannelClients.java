package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.testkit.client.Json;
import io.pulsebase.testkit.client.WsTestClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/** Helpers for the channel ITs: publishing, reading frames up to a reply, REST history and presence, refusals. */
final class ChannelClients {
    private ChannelClients() {
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    static boolean isType(JsonNode frame, String type) {
        return frame.path("type").asText().equals(type);
    }

    /** Whether a frame is a channel {@code event} on the topic. */
    static boolean isEvent(JsonNode frame, String topic) {
        return isType(frame, "event") && frame.path("topic").asText().equals(topic);
    }

    /** The next {@code event} frame on the topic (other frames before it are dropped). */
    static JsonNode awaitEvent(WsTestClient client, String topic) {
        return client.await(f -> isEvent(f, topic));
    }

    /** The next {@code presence} frame on the topic (other frames before it are dropped). */
    static JsonNode awaitPresence(WsTestClient client, String topic) {
        return client.await(f -> isType(f, "presence") && f.path("topic").asText().equals(topic));
    }

    /** Publishes over the WebSocket and fails unless the reply is ok; answers the reply. */
    static JsonNode publish(WsTestClient client, String topic, String event, Object data, boolean persist) {
        return client.requestOk("type", "publish", "topic", topic, "event", event, "data", data, "persist", persist);
    }

    /** Sends a message with a {@code ref}, reads frames in order until its reply: answers the frames before it and the reply last. */
    static List<JsonNode> framesUntilReply(WsTestClient client, Object... keysAndValues) {
        String ref = client.send(keysAndValues);
        List<JsonNode> frames = new ArrayList<>();
        while (true) {
            JsonNode f = client.next();
            if (isType(f, "heartbeat")) {
                continue;
            }
            frames.add(f);
            if (isType(f, "reply") && f.path("ref").asText().equals(ref)) {
                return frames;
            }
        }
    }

    /** {@code POST /v1/publish} with alternating fields; must answer 200. */
    static JsonNode restPublish(TestServer server, Object... fields) {
        return server.rest(200, "POST", "/v1/publish", Json.object(fields));
    }

    /** {@code GET /v1/history} with the topic and an extra query (such as {@code &limit=10}); must answer 200. */
    static JsonNode restHistory(TestServer server, String topic, String extraQuery) {
        return server.rest(200, "GET", "/v1/history?topic=" + enc(topic) + extraQuery, null);
    }

    /** {@code GET /v1/presence}: the members as key → data. */
    static Map<String, JsonNode> restPresence(TestServer server, String topic) {
        JsonNode answer = server.rest(200, "GET", "/v1/presence?topic=" + enc(topic), null);
        assertThat(answer.path("topic").asText()).isEqualTo(topic);
        return members(answer.path("members"));
    }

    /** A {@code members} array as key → data; fails on a repeated key. */
    static Map<String, JsonNode> members(JsonNode array) {
        assertThat(array.isArray()).as("members %s", array).isTrue();
        Map<String, JsonNode> map = new HashMap<>();
        for (JsonNode m : array) {
            assertThat(map.put(m.path("key").asText(), m.path("data"))).as("key twice in %s", array).isNull();
        }
        return map;
    }

    static void assertRefused(JsonNode reply, String code) {
        assertThat(reply.path("type").asText()).as("frame %s", reply).isEqualTo("reply");
        assertThat(reply.path("ok").asBoolean()).as("reply %s", reply).isFalse();
        assertThat(reply.path("error").path("code").asText()).as("reply %s", reply).isEqualTo(code);
        assertThat(reply.path("error").path("message").asText()).as("reply %s", reply).isNotBlank();
    }

    /** A REST call that must fail with the status and code. */
    static void assertRestRefused(TestServer server, int status, String code, String method, String path, String body) {
        JsonNode answer = server.rest(status, method, path, body);
        assertThat(answer.path("error").path("code").asText()).as("%s %s -> %s", method, path, answer).isEqualTo(code);
        assertThat(answer.path("error").path("message").asText()).isNotBlank();
    }

    /** A client subscribed to a fresh probe channel, to show later that its connection still works. */
    static WsTestClient probed(TestServer server, String probeTopic) {
        WsTestClient client = WsTestClient.connect(server.ws());
        client.subscribe("topic", probeTopic);
        return client;
    }

    /** The connection is open, answers a ping, and a message published (over REST) to its probe channel arrives. */
    static void assertStillWorks(TestServer server, WsTestClient client, String probeTopic) {
        assertThat(client.isOpen()).as("connection open (close code %d)", client.closeCode()).isTrue();
        assertThat(client.request("type", "ping").path("ok").asBoolean()).isTrue();
        String nonce = UUID.randomUUID().toString();
        restPublish(server, "topic", probeTopic, "event", "probe", "data", Map.of("nonce", nonce));
        JsonNode event = client.await(f -> isEvent(f, probeTopic) && f.path("data").path("nonce").asText().equals(nonce));
        assertThat(event.path("event").asText()).isEqualTo("probe");
    }

    /** The positions of history messages, in the order given. */
    static List<Long> positions(Iterable<JsonNode> messages) {
        List<Long> out = new ArrayList<>();
        for (JsonNode m : messages) {
            out.add(Json.position(m));
        }
        return out;
    }

    /**
     * Sends the messages (each alternating keys and values, {@code type} included) over one connection, keeping at
     * most {@code window} waiting for their reply; answers every reply in message order. Other frames are dropped.
     */
    static List<JsonNode> sendPipelined(WsTestClient client, List<Object[]> messages, int window) {
        Map<String, Integer> pending = new HashMap<>();
        JsonNode[] replies = new JsonNode[messages.size()];
        int next = 0;
        int done = 0;
        while (done < messages.size()) {
            while (next < messages.size() && pending.size() < window) {
                pending.put(client.send(messages.get(next)), next);
                next++;
            }
            JsonNode reply = client.awaitType("reply");
            Integer index = pending.remove(reply.path("ref").asText());
            if (index != null) {
                replies[index] = reply;
                done++;
            }
        }
        return List.of(replies);
    }

    /** A request's ok reply and the frames that arrived before it, so that a frame racing the reply is not lost. */
    record Exchange(List<JsonNode> before, JsonNode reply) {
        /** The first frame before the reply that matches, or else the next matching frame the client receives. */
        JsonNode then(WsTestClient client, Predicate<JsonNode> match) {
            for (JsonNode f : before) {
                if (match.test(f)) {
                    return f;
                }
            }
            return client.await(match);
        }
    }

    /**
     * Sends a message and waits for its reply, which must be ok, keeping the frames before it: for a connection that
     * receives the consequence of its own message (its own published event, its own presence join).
     */
    static Exchange exchange(WsTestClient client, Object... keysAndValues) {
        List<JsonNode> frames = framesUntilReply(client, keysAndValues);
        JsonNode reply = frames.get(frames.size() - 1);
        assertThat(reply.path("ok").asBoolean()).as("expected ok reply, got %s", reply).isTrue();
        return new Exchange(List.copyOf(frames.subList(0, frames.size() - 1)), reply);
    }
}
