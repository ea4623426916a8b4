package io.pulsebase.transport;

import java.time.Duration;

/**
 * Settings of the network edge (the engine has its own, in {@code NodeConfig}).
 *
 * @param host               address to bind ({@code 0.0.0.0} = every interface)
 * @param port               TCP port; 0 picks a free one (see {@link RealtimeServer#start()})
 * @param maxFrameBytes      largest inbound WebSocket message, after reassembling continuation frames and after
 *                           decompression; a larger one closes the connection with 1009
 * @param maxBodyBytes       largest REST request body; a larger one is answered 413 {@code too_large}
 * @param outboundQueueBytes bytes a connection may have queued for writing; beyond it the connection is closed
 *                           as a slow consumer (4001) and the client resumes from its last position
 * @param heartbeatInterval  a quiet connection gets a heartbeat this often; a WebSocket client that sends
 *                           nothing (not even a pong) for twice this long is closed (4002)
 * @param permessageDeflate  offer WebSocket permessage-deflate compression
 * @param shutdownGrace      how long a graceful stop waits for connections to flush and close
 * @param ioThreads          event-loop threads for connections; 0 = one per core
 * @param handshakeTimeout   how long a WebSocket upgrade may take before the connection is dropped
 */
public record TransportConfig(
        String host,
        int port,
        int maxFrameBytes,
        int maxBodyBytes,
        long outboundQueueBytes,
        Duration heartbeatInterval,
        boolean permessageDeflate,
        Duration shutdownGrace,
        int ioThreads,
        Duration handshakeTimeout) {

    public TransportConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535");
        }
        if (maxFrameBytes < 1 || maxBodyBytes < 1 || outboundQueueBytes < 1) {
            throw new IllegalArgumentException("size limits must be positive");
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
            throw new IllegalArgumentException("heartbeat interval must be positive");
        }
        if (shutdownGrace.isNegative() || handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("shutdown grace must not be negative and handshake timeout must be positive");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads must not be negative");
        }
    }

    public static TransportConfig defaults() {
        return new TransportConfig("0.0.0.0", 8080, 128 * 1024, 4 << 20, 4L << 20, Duration.ofSeconds(30), true,
                Duration.ofSeconds(5), 0, Duration.ofSeconds(10));
    }

    public TransportConfig withHost(String h) {
        return new TransportConfig(h, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withPort(int p) {
        return new TransportConfig(host, p, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withMaxFrameBytes(int n) {
        return new TransportConfig(host, port, n, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withMaxBodyBytes(int n) {
        return new TransportConfig(host, port, maxFrameBytes, n, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withOutboundQueueBytes(long n) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, n, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withHeartbeatInterval(Duration d) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, d,
                permessageDeflate, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withPermessageDeflate(boolean on) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                on, shutdownGrace, ioThreads, handshakeTimeout);
    }

    public TransportConfig withShutdownGrace(Duration d) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, d, ioThreads, handshakeTimeout);
    }

    public TransportConfig withIoThreads(int n) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, n, handshakeTimeout);
    }

    public TransportConfig withHandshakeTimeout(Duration d) {
        return new TransportConfig(host, port, maxFrameBytes, maxBodyBytes, outboundQueueBytes, heartbeatInterval,
                permessageDeflate, shutdownGrace, ioThreads, d);
    }
}
