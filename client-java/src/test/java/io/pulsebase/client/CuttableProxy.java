package io.pulsebase.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A TCP proxy in front of a server whose connections a test can cut at any moment ({@link #cut()}: both sockets
 * reset at once, no WebSocket close frame — what a dropped network looks like; or {@link #cutGracefully()}) and which can refuse new
 * connections for a while ({@link #block(boolean)}). The target port is read per connection, so the server behind
 * it may be restarted on another port.
 */
final class CuttableProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final IntSupplier targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;
    private volatile boolean blocked;
    private volatile boolean closed;

    CuttableProxy(IntSupplier targetPort) throws IOException {
        this.targetPort = targetPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("proxy-accept").start(this::acceptLoop);
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    int accepted() {
        return accepted.get();
    }

    /** While blocked, new connections are closed at once. */
    void block(boolean on) {
        blocked = on;
    }

    /** Resets every proxied connection (TCP RST), as a dropped network or a killed peer does. */
    void cut() {
        close(true);
    }

    /**
     * Closes every proxied connection with a TCP FIN but no WebSocket close frame, as a proxy or load balancer that
     * gives up on a connection does.
     */
    void cutGracefully() {
        close(false);
    }

    private void close(boolean reset) {
        for (Socket s : sockets) {
            if (reset) {
                try {
                    s.setSoLinger(true, 0);
                } catch (IOException ignored) {
                    // closed already
                }
            }
            closeQuietly(s);
            sockets.remove(s);
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (blocked) {
                closeQuietly(client);
                continue;
            }
            accepted.incrementAndGet();
            try {
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort.getAsInt()), 5000);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
            byte[] buf = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // cut or closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        cut();
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
