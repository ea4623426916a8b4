/**
 * The network edge: WebSocket, Server-Sent Events and REST on Netty, all decoding into the same core commands
 * and reaching the same {@link io.pulsebase.core.Node}. Entry point: {@link io.pulsebase.transport.RealtimeServer};
 * the pipeline is drawn in {@link io.pulsebase.transport.PulsebaseChannelInitializer}; the per-connection bounded
 * outbound queue is {@link io.pulsebase.transport.ChannelOutbound}.
 */
package io.pulsebase.transport;
