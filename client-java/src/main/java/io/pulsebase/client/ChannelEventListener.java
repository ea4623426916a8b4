package io.pulsebase.client;

/** A message published on a channel. */
@FunctionalInterface
public interface ChannelEventListener {
    void onEvent(ChannelEvent event);
}
