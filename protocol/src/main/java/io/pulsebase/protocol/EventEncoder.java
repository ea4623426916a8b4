package io.pulsebase.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The fast path for the most frequent frame of a chat or game: a channel {@code event} whose payload is
 * {@link RawJson} and whose strings need no escaping. It writes the same JSON as {@link ServerMessageEncoder}
 * (field for field, in the same order) straight into one array of the exact size — no generator, no buffer to
 * grow, no copy — and copies the payload's bytes as they are. Anything else is left to the generator.
 * Stateless and thread-safe.
 */
final class EventEncoder {
    private static final byte[] HEAD = ascii("{\"type\":\"event\",\"topic\":\"");
    private static final byte[] EVENT = ascii("\",\"event\":\"");
    private static final byte[] DATA = ascii("\",\"data\":");
    private static final byte[] TIMESTAMP = ascii(",\"timestamp\":\"");
    private static final byte[] USER_ID = ascii("\",\"userId\":\"");
    private static final byte[] ID = ascii("\",\"id\":\"");
    private static final byte[] POSITION = ascii("\",\"position\":\"");
    private static final byte[] TAIL = ascii("\"}");

    private EventEncoder() {
    }

    /** The frame's bytes, or {@code null} when the event is not one this path writes. */
    static byte[] encode(ServerMessage.Event e) {
        RawJson data = e.data() == null ? RawJson.NULL : e.data() instanceof RawJson raw ? raw : null;
        if (data == null || !plain(e.topic()) || !plain(e.event()) || !plain(e.userId()) || !plain(e.id())) {
            return null;
        }
        String timestamp = ServerMessageEncoder.timestamp(e.timestamp());
        String position = e.position() > 0 ? Positions.format(e.position()) : null;
        int size = HEAD.length + e.topic().length() + EVENT.length + e.event().length() + DATA.length
                + data.length() + TIMESTAMP.length + timestamp.length() + TAIL.length
                + (e.userId() == null ? 0 : USER_ID.length + e.userId().length())
                + (e.id() == null ? 0 : ID.length + e.id().length())
                + (position == null ? 0 : POSITION.length + position.length());
        byte[] out = new byte[size];
        int at = put(out, 0, HEAD);
        at = put(out, at, e.topic());
        at = put(out, at, EVENT);
        at = put(out, at, e.event());
        at = put(out, at, DATA);
        at = put(out, at, data.utf8());
        at = put(out, at, TIMESTAMP);
        at = put(out, at, timestamp);
        if (e.userId() != null) {
            at = put(out, at, USER_ID);
            at = put(out, at, e.userId());
        }
        if (e.id() != null) {
            at = put(out, at, ID);
            at = put(out, at, e.id());
        }
        if (position != null) {
            at = put(out, at, POSITION);
            at = put(out, at, position);
        }
        put(out, at, TAIL);
        return out;
    }

    /** Absent, or printable ASCII that JSON writes as is (no quote, no backslash). */
    private static boolean plain(String s) {
        if (s == null) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    private static int put(byte[] out, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, out, at, bytes.length);
        return at + bytes.length;
    }

    /** A plain string: one byte per character. */
    private static int put(byte[] out, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            out[at + i] = (byte) s.charAt(i);
        }
        return at + s.length();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
