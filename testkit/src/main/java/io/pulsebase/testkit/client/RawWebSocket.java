package io.pulsebase.testkit.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * A WebSocket client on a plain socket, for what friendly clients won't do: send oversized, fragmented, binary or
 * compressed frames, never answer pings (or answer them by hand), stop reading. Frames are written masked, as
 * RFC 6455 requires of clients, and read one at a time as they come, control frames included.
 *
 * <pre>{@code
 * try (RawWebSocket ws = RawWebSocket.connect(port, "/v1/realtime")) {
 *     ws.sendText("{\"type\":\"ping\",\"ref\":\"p\"}");
 *     RawWebSocket.Frame reply = ws.readUntil(f -> f.opcode() == RawWebSocket.TEXT, Duration.ofSeconds(5));
 * }
 * }</pre>
 */
public final class RawWebSocket implements AutoCloseable {
    public static final int CONTINUATION = 0;
    public static final int TEXT = 1;
    public static final int BINARY = 2;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    /** One frame as received, unmasked. */
    public record Frame(int opcode, boolean fin, boolean compressed, byte[] payload) {
        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        /** The close code of a close frame, or -1. */
        public int closeCode() {
            return opcode == CLOSE && payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String handshake;

    private RawWebSocket(Socket socket, String handshake) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
        this.handshake = handshake;
    }

    public static RawWebSocket connect(int port, String pathAndQuery) throws IOException {
        return connect(port, pathAndQuery, Map.of(), 0);
    }

    /**
     * Opens a socket to 127.0.0.1 and completes the upgrade; fails with an {@link IOException} naming the answer
     * when the server does not switch protocols.
     *
     * @param receiveBuffer SO_RCVBUF to ask for before connecting (0 = the system's), small to make a slow reader
     */
    public static RawWebSocket connect(int port, String pathAndQuery, Map<String, String> headers, int receiveBuffer)
            throws IOException {
        Socket socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        StringBuilder request = new StringBuilder()
                .append("GET ").append(pathAndQuery).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n")
                .append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(Base64.getEncoder().encodeToString(key)).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        headers.forEach((k, v) -> request.append(k).append(": ").append(v).append("\r\n"));
        request.append("\r\n");
        socket.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        String response = readHead(socket.getInputStream());
        if (!response.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new IOException("upgrade refused: " + response);
        }
        return new RawWebSocket(socket, response);
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade: " + head);
            }
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** The server's answer to the upgrade request: status line and headers. */
    public String handshake() {
        return handshake;
    }

    public void sendText(String text) throws IOException {
        sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
        sendFrame(opcode, fin, false, payload);
    }

    /** A text message compressed with permessage-deflate (RFC 7692: raw deflate, sync-flush tail removed). */
    public void sendCompressedText(String text) throws IOException {
        Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        deflater.setInput(text.getBytes(StandardCharsets.UTF_8));
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = deflater.deflate(chunk, 0, chunk.length, Deflater.SYNC_FLUSH)) > 0) {
            compressed.write(chunk, 0, n);
        }
        deflater.end();
        byte[] bytes = compressed.toByteArray();
        sendFrame(TEXT, true, true, Arrays.copyOf(bytes, bytes.length - 4));
    }

    /** Inflates the payload of a frame the server compressed (RSV1 set). */
    public static String inflate(Frame frame) throws IOException {
        Inflater inflater = new Inflater(true);
        byte[] payload = Arrays.copyOf(frame.payload(), frame.payload().length + 4);
        payload[payload.length - 2] = (byte) 0xff;
        payload[payload.length - 1] = (byte) 0xff;
        inflater.setInput(payload);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = inflater.inflate(chunk)) > 0) {
                out.write(chunk, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IOException(e);
        } finally {
            inflater.end();
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** One frame, masked; {@code rsv1} marks a permessage-deflate compressed message. */
    public void sendFrame(int opcode, boolean fin, boolean rsv1, byte[] payload) throws IOException {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(payload.length + 14);
        frame.write((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length < 65536) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift));
            }
        }
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i & 3]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame; fails ({@link java.net.SocketTimeoutException}) after the timeout or at the end of the stream. */
    public Frame read(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b0 = readByte();
        int b1 = readByte();
        long length = b1 & 0x7f;
        if (length == 126) {
            length = (readByte() << 8) | readByte();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | readByte();
            }
        }
        byte[] mask = (b1 & 0x80) != 0 ? readMask() : null;
        byte[] payload = in.readNBytes((int) length);
        if (payload.length < length) {
            throw new EOFException("stream ended inside a frame");
        }
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, (b0 & 0x40) != 0, payload);
    }

    /** Reads until a frame matches, answering nothing; fails at the deadline or the end of the stream. */
    public Frame readUntil(Predicate<Frame> match, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("no matching frame in " + timeout);
            }
            Frame frame = read(Duration.ofNanos(left));
            if (match.test(frame)) {
                return frame;
            }
        }
    }

    /** Reads (and drops) frames until the close frame; its code. */
    public int awaitClose(Duration timeout) throws IOException {
        return readUntil(f -> f.opcode() == CLOSE, timeout).closeCode();
    }

    private byte[] readMask() throws IOException {
        byte[] mask = in.readNBytes(4);
        if (mask.length < 4) {
            throw new EOFException("stream ended inside a frame");
        }
        return mask;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("connection closed");
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
