package io.pulsebase.bench.load;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Arrays;

/**
 * Reads one server frame with Jackson's streaming parser, and checks a {@code db_change} against what the
 * writer wrote: every change an {@code INSERT} of {@link BenchTable}, exactly {@code rowsPerTx} of them in
 * one frame (no half transaction), one room and one {@code sent_ns} per frame, ids consecutive, row index
 * k in array position k, the payload exactly {@link BenchTable#payload}, and the room the filter asked
 * for ({@code owned}: and {@code owner_id} the room's user, {@code user-<room>}). No tree, and no allocation per change: at 10,000 connections this runs a million times a second.
 *
 * <p>With {@code groupedTx} ({@code --writer jdbc}) a frame may hold several whole transactions: the server
 * groups other programs' transactions committed within one capture poll into one log entry (documented
 * behaviour). Then a frame must hold a multiple of {@code rowsPerTx} changes; each run of {@code rowsPerTx}
 * is one transaction, checked as above (one room, one {@code sent_ns}, consecutive ids, row index k at k),
 * and the transactions' ids strictly increase through the frame. {@link #txCount} and {@link #txSentNs}
 * describe them.
 *
 * <p>One instance per event loop; the fields describe the last frame read.
 */
final class FrameReader {
    private static final JsonFactory JSON = new JsonFactory();

    private final int rowsPerTx;
    private final int payloadBytes;
    private final boolean groupedTx;
    /** Rows carry {@code owner_id}, which must be {@code user-<room>}. */
    private final boolean owned;
    /** Room of the transaction being read. */
    private long txRoom;
    private char[] payload = new char[128];
    private int payloadLength;

    String type;
    String ref;
    boolean ok;
    String errorCode;
    String errorMessage;
    String topic;
    boolean hasPosition;
    long position;
    boolean hasChanges;
    /** {@code "more": true}: a part of a transaction sent in parts; the next part has the same position. */
    boolean more;
    int changes;
    long sentNs;
    long room;
    long firstId;
    /** Id of the frame's last change. */
    long lastId;
    /** Whole transactions in the frame (1 unless {@code groupedTx}); valid when {@link #changeProblem} is null. */
    int txCount;
    /** {@code sent_ns} of each transaction in the frame, [0, txCount). */
    long[] txSentNs = new long[16];
    /** What was wrong with the changes, or null. */
    String changeProblem;

    FrameReader(int rowsPerTx, int payloadBytes, boolean groupedTx, boolean owned) {
        this.owned = owned;
        this.rowsPerTx = rowsPerTx;
        this.payloadBytes = payloadBytes;
        this.groupedTx = groupedTx;
    }

    /**
     * Parses {@code buf[off, off+len)}. {@code expectedRoom} is the room a filtered subscriber asked for, or
     * -1 for any.
     *
     * @throws IOException when the frame is not a JSON object
     */
    void read(byte[] buf, int off, int len, long expectedRoom) throws IOException {
        type = ref = errorCode = errorMessage = topic = changeProblem = null;
        ok = hasPosition = hasChanges = more = false;
        changes = 0;
        txCount = 0;
        try (JsonParser p = JSON.createParser(buf, off, len)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("frame is not a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "type" -> type = text(p, t);
                    case "ref" -> ref = text(p, t);
                    case "ok" -> ok = t == JsonToken.VALUE_TRUE;
                    case "more" -> more = t == JsonToken.VALUE_TRUE;
                    case "code" -> errorCode = text(p, t);
                    case "message" -> errorMessage = text(p, t);
                    case "topic" -> topic = text(p, t);
                    case "error" -> readError(p, t);
                    case "position" -> readPosition(p, t);
                    case "changes" -> readChanges(p, t, expectedRoom);
                    default -> p.skipChildren();
                }
            }
        }
    }

    private static String text(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t.isScalarValue()) {
            return p.getText();
        }
        p.skipChildren();
        return null;
    }

    private static boolean textIs(JsonParser p, String expected) throws IOException {
        int n = p.getTextLength();
        if (n != expected.length()) {
            return false;
        }
        char[] c = p.getTextCharacters();
        int o = p.getTextOffset();
        for (int i = 0; i < n; i++) {
            if (c[o + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private void readError(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "code" -> errorCode = text(p, v);
                case "message" -> errorMessage = text(p, v);
                default -> p.skipChildren();
            }
        }
    }

    private void readPosition(JsonParser p, JsonToken t) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            p.skipChildren();
            return;
        }
        char[] c = p.getTextCharacters();
        int o = p.getTextOffset();
        int n = p.getTextLength();
        if (n == 0 || n > 19) {
            return;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            char d = c[o + i];
            if (d < '0' || d > '9') {
                return;
            }
            v = v * 10 + (d - '0');
        }
        position = v;
        hasPosition = true;
    }

    private void readChanges(JsonParser p, JsonToken t, long expectedRoom) throws IOException {
        if (t != JsonToken.START_ARRAY) {
            p.skipChildren();
            changeProblem = "changes is not an array";
            return;
        }
        hasChanges = true;
        int k = 0;
        while (p.nextToken() == JsonToken.START_OBJECT) {
            readChange(p, k++, expectedRoom);
        }
        changes = k;
        if (changeProblem != null) {
            return;
        }
        if (!groupedTx && k != rowsPerTx) {
            changeProblem = "a frame held " + k + " changes, a transaction wrote " + rowsPerTx;
        } else if (groupedTx && (k == 0 || k % rowsPerTx != 0)) {
            changeProblem = "a frame held " + k + " changes, not whole transactions of " + rowsPerTx;
        }
    }

    private void readChange(JsonParser p, int k, long expectedRoom) throws IOException {
        boolean insert = false;
        boolean hasId = false;
        boolean hasRoom = false;
        boolean hasSent = false;
        long ownerRoom = -1;
        long id = 0;
        long r = 0;
        long sent = 0;
        payloadLength = -1;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            if (name.equals("operation") && t == JsonToken.VALUE_STRING) {
                insert = textIs(p, "INSERT");
            } else if (name.equals("data") && t == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String col = p.currentName();
                    JsonToken v = p.nextToken();
                    switch (col) {
                        case "id" -> {
                            hasId = v == JsonToken.VALUE_NUMBER_INT;
                            id = hasId ? p.getLongValue() : 0;
                        }
                        case "room" -> {
                            hasRoom = v == JsonToken.VALUE_NUMBER_INT;
                            r = hasRoom ? p.getLongValue() : 0;
                        }
                        case "sent_ns" -> {
                            hasSent = v == JsonToken.VALUE_NUMBER_INT;
                            sent = hasSent ? p.getLongValue() : 0;
                        }
                        case "owner_id" -> ownerRoom = v == JsonToken.VALUE_STRING ? ownerRoom(p) : -1;
                        case "payload" -> {
                            if (v == JsonToken.VALUE_STRING) {
                                copyPayload(p);
                            }
                        }
                        default -> p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        if (changeProblem != null) {
            return;
        }
        int tx = k / rowsPerTx; // the transaction in the frame (always 0 unless groupedTx)
        int kk = k % rowsPerTx; // the row's index inside its transaction
        if (!insert) {
            changeProblem = "change " + k + " is not an INSERT";
        } else if (!hasId || !hasRoom || !hasSent || payloadLength < 0) {
            changeProblem = "change " + k + " lacks id, room, sent_ns or payload";
        } else if (kk == 0) {
            if (k == 0) {
                sentNs = sent;
                room = r;
                firstId = id;
            } else if (!groupedTx) {
                changeProblem = "a frame held more than one transaction";
            } else if (id <= lastId) {
                changeProblem = "change " + k + " (id " + id + ") does not follow id " + lastId + " in the frame";
            }
            txRoom = r;
            if (tx >= txSentNs.length) {
                txSentNs = Arrays.copyOf(txSentNs, txSentNs.length * 2);
            }
            txSentNs[tx] = sent;
            txCount = tx + 1;
            lastId = id;
        } else if (sent != txSentNs[tx] || r != txRoom || id != lastId + 1) {
            changeProblem = "change " + k + " belongs to another transaction (sent_ns, room or id differ)";
        } else {
            lastId = id;
        }
        if (changeProblem == null && owned && ownerRoom != r) {
            changeProblem = "change " + k + " of room " + r + " is not owned by " + BenchTable.owner(r);
        }
        if (changeProblem == null && expectedRoom >= 0 && r != expectedRoom) {
            changeProblem = "room " + r + " delivered to a subscriber of room " + expectedRoom;
        }
        if (changeProblem == null
                && !BenchTable.payloadMatches(payload, 0, payloadLength, r, sent, kk, payloadBytes)) {
            changeProblem = "change " + k + " payload differs from what was written";
        }
    }

    /** The room of an {@code owner_id} of the form {@code user-<digits>}, or -1; without allocating. */
    private static long ownerRoom(JsonParser p) throws IOException {
        char[] c = p.getTextCharacters();
        int o = p.getTextOffset();
        int n = p.getTextLength();
        int prefix = BenchTable.OWNER_PREFIX.length();
        if (n <= prefix || n > prefix + 18) {
            return -1;
        }
        for (int i = 0; i < prefix; i++) {
            if (c[o + i] != BenchTable.OWNER_PREFIX.charAt(i)) {
                return -1;
            }
        }
        long v = 0;
        for (int i = prefix; i < n; i++) {
            char d = c[o + i];
            if (d < '0' || d > '9') {
                return -1;
            }
            v = v * 10 + (d - '0');
        }
        return v;
    }

    private void copyPayload(JsonParser p) throws IOException {
        int n = p.getTextLength();
        if (payload.length < n) {
            payload = new char[Math.max(n, payload.length * 2)];
        }
        System.arraycopy(p.getTextCharacters(), p.getTextOffset(), payload, 0, n);
        payloadLength = n;
    }
}
