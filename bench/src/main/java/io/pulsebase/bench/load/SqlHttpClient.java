package io.pulsebase.bench.load;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client on one keep-alive connection: one request at a time, {@code
 * Content-Length} or chunked responses. It exists so the writer's own cost per commit stays small and
 * visible (one socket write, one read) — the JDK {@code HttpClient} would do, with a few thread hand-offs
 * more per request. Not thread-safe: one per writer thread.
 */
final class SqlHttpClient implements Closeable {
    private static final int TIMEOUT_MS = 10_000;
    private static final int MAX_BODY = 64 << 20;

    private final String host;
    private final int port;
    private final String hostHeader;
    /** {@code Authorization} header value sent with every request, or null. */
    private final String authorization;
    private Socket socket;
    private OutputStream out;
    private InputStream in;

    /** A response: status and body bytes. */
    record Response(int status, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    SqlHttpClient(URI base, String authorization) {
        this.authorization = authorization;
        String h = base.getHost();
        this.host = h.startsWith("[") ? h.substring(1, h.length() - 1) : h;
        this.port = base.getPort();
        this.hostHeader = h + ":" + port;
    }

    Response post(String path, byte[] body) throws IOException {
        return exchange("POST", path, body);
    }

    Response get(String path) throws IOException {
        return exchange("GET", path, null);
    }

    /**
     * No retry on failure: a write whose answer was lost may have committed, and sending it again would
     * commit it twice. The connection is dropped and the next call opens a new one.
     */
    private Response exchange(String method, String path, byte[] body) throws IOException {
        try {
            return exchangeOnce(method, path, body);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Response exchangeOnce(String method, String path, byte[] body) throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.setSoTimeout(TIMEOUT_MS);
            s.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
            socket = s;
            out = s.getOutputStream();
            in = new BufferedInputStream(s.getInputStream(), 16 * 1024);
        }
        StringBuilder head = new StringBuilder(160)
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("Connection: keep-alive\r\n");
        if (authorization != null) {
            head.append("Authorization: ").append(authorization).append("\r\n");
        }
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
        if (body == null) {
            out.write(h);
        } else {
            byte[] all = new byte[h.length + body.length];
            System.arraycopy(h, 0, all, 0, h.length);
            System.arraycopy(body, 0, all, h.length, body.length);
            out.write(all); // one write, one segment for small requests
        }
        out.flush();
        return readResponse();
    }

    private Response readResponse() throws IOException {
        String status = readLine();
        if (!status.startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + status);
        }
        int code = Integer.parseInt(status.substring(9, 12));
        long length = -1;
        boolean chunked = false;
        boolean closeAfter = status.startsWith("HTTP/1.0");
        for (String line = readLine(); !line.isEmpty(); line = readLine()) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                case "connection" -> closeAfter = value.equalsIgnoreCase("close");
                default -> { }
            }
        }
        byte[] body;
        if (chunked) {
            body = readChunked();
        } else if (length >= 0) {
            if (length > MAX_BODY) {
                throw new IOException("response too large: " + length);
            }
            body = in.readNBytes((int) length);
            if (body.length != length) {
                throw new IOException("connection closed inside a response body");
            }
        } else {
            body = in.readNBytes(MAX_BODY);
            closeAfter = true;
        }
        if (closeAfter) {
            close();
        }
        return new Response(code, body);
    }

    private byte[] readChunked() throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine();
            int semi = sizeLine.indexOf(';');
            int size = Integer.parseInt((semi >= 0 ? sizeLine.substring(0, semi) : sizeLine).trim(), 16);
            if (size == 0) {
                while (!readLine().isEmpty()) {
                    // trailers
                }
                return buf.toByteArray();
            }
            if (buf.size() + size > MAX_BODY) {
                throw new IOException("response too large");
            }
            byte[] chunk = in.readNBytes(size);
            if (chunk.length != size) {
                throw new IOException("connection closed inside a chunk");
            }
            buf.write(chunk);
            readLine();
        }
    }

    private String readLine() throws IOException {
        StringBuilder sb = new StringBuilder(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("connection closed by the server");
            }
            if (c == '\n') {
                int n = sb.length();
                if (n > 0 && sb.charAt(n - 1) == '\r') {
                    sb.setLength(n - 1);
                }
                return sb.toString();
            }
            if (sb.length() > 16 * 1024) {
                throw new IOException("header line too long");
            }
            sb.append((char) c);
        }
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            socket = null;
            out = null;
            in = null;
        }
    }
}
