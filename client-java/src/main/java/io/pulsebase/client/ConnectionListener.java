package io.pulsebase.client;

import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The WebSocket listener of one connection attempt (generation {@code gen}): hands everything to the client's event
 * thread, and asks the JDK WebSocket for the next frame only once the previous one was handled there (flow
 * control: a slow listener slows the socket, never buffers without bound).
 */
final class ConnectionListener implements WebSocket.Listener {

    private static final System.Logger LOG = System.getLogger(PulsebaseClient.class.getName());

    private final Connection connection;
    private final EventThread events;
    private final int gen;
    private StringBuilder partial;

    ConnectionListener(Connection connection, EventThread events, int gen) {
        this.connection = connection;
        this.events = events;
        this.gen = gen;
    }

    @Override
    public void onOpen(WebSocket w) {
        events.execute(() -> connection.opened(gen, w));
        w.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        if (!last) {
            if (partial == null) {
                partial = new StringBuilder();
            }
            partial.append(data);
            w.request(1);
            return null;
        }
        String text;
        if (partial != null) {
            text = partial.append(data).toString();
            partial = null;
        } else {
            text = data.toString();
        }
        // Flow control: the next frame is requested once this one was handled on the event thread.
        boolean queued = events.tryExecute(() -> {
            try {
                connection.frame(gen, text);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error handling a frame", e);
            } finally {
                w.request(1);
            }
        });
        if (!queued) {
            w.abort(); // the client is closed
        }
        return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket w, ByteBuffer data, boolean last) {
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket w, ByteBuffer message) {
        events.execute(() -> connection.touched(gen));
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket w, ByteBuffer message) {
        events.execute(() -> connection.touched(gen));
        w.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket w, int statusCode, String reason) {
        events.execute(() -> connection.dropped(gen, statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        events.execute(() -> connection.dropped(gen, 1006, String.valueOf(error)));
    }
}
