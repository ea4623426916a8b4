package io.pulsebase.core.fanout;

import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.Positions;
import io.pulsebase.protocol.ServerMessage;
import java.nio.charset.StandardCharsets;

/**
 * One server message, encoded once and written as the same bytes to every connection that should get it:
 * {@link #json()} for WebSocket text frames, {@link #sse()} for Server-Sent Events (built lazily, once).
 * Immutable after construction; the byte arrays must never be modified by a reader.
 */
public final class Frame {
    private final String type;
    private final long position;
    private final boolean partial;
    private final byte[] json;
    private volatile byte[] sse;
    private volatile Object transportCache;

    private Frame(String type, long position, boolean partial, byte[] json) {
        this.type = type;
        this.position = position;
        this.partial = partial;
        this.json = json;
    }

    /** Encodes a message; {@code position} is its log position, or 0 for messages without one. */
    public static Frame encode(JsonCodec codec, ServerMessage message, long position) {
        boolean partial = message instanceof ServerMessage.DbChange change && change.more()
                || message instanceof ServerMessage.Snapshot snapshot && snapshot.more();
        return new Frame(message.type(), position, partial, codec.encode(message));
    }

    /**
     * An SSE-only marker: an {@code id:} line and a blank line, which sets the client's last event id to
     * {@code position} without dispatching an event (so a stream that has sent nothing positioned yet still has a
     * point to resume from). It has no WebSocket form: only a Server-Sent Events outbound may be given one.
     */
    public static Frame ssePosition(long position) {
        Frame frame = new Frame("position", position, false, new byte[0]);
        frame.sse = ("id: " + Positions.format(position) + "\n\n").getBytes(StandardCharsets.UTF_8);
        return frame;
    }

    /** Encodes a message that has no log position. */
    public static Frame encode(JsonCodec codec, ServerMessage message) {
        return encode(codec, message, 0);
    }

    /** The message's wire {@code type}. */
    public String type() {
        return type;
    }

    /** The log position the message carries, or 0. */
    public long position() {
        return position;
    }

    /**
     * Whether more frames of the same transaction follow: a subscriber's position (and an SSE event id) only
     * moves on a transaction's last frame, so resuming never starts in the middle of a transaction.
     */
    public boolean partial() {
        return partial;
    }

    /** UTF-8 JSON of the message. Shared; do not modify. */
    public byte[] json() {
        return json;
    }

    /** Bytes the outbound queue accounts for. */
    public int size() {
        return json.length;
    }

    /**
     * The message as one Server-Sent Events event: {@code id:} its position (positioned messages only, and
     * for a transaction sent in parts only on its last part, so {@code Last-Event-ID} never points inside one),
     * {@code event:} its type, {@code data:} the same JSON as on the WebSocket. Shared; do not modify.
     */
    public byte[] sse() {
        byte[] s = sse;
        if (s == null) {
            StringBuilder head = new StringBuilder(48);
            if (position > 0 && !partial) {
                head.append("id: ").append(Positions.format(position)).append('\n');
            }
            head.append("event: ").append(type).append("\ndata: ");
            byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
            s = new byte[h.length + json.length + 2];
            System.arraycopy(h, 0, s, 0, h.length);
            System.arraycopy(json, 0, s, h.length, json.length);
            s[s.length - 2] = '\n';
            s[s.length - 1] = '\n';
            sse = s;
        }
        return s;
    }

    /**
     * Owned by the transport: one cached wire encoding of this frame (e.g. a pre-framed WebSocket message), or
     * {@code null}. Core never reads or writes it.
     */
    public Object transportCache() {
        return transportCache;
    }

    /** Owned by the transport: sets the one cached wire encoding (see {@link #transportCache()}). */
    public void transportCache(Object encoding) {
        transportCache = encoding;
    }
}
