package io.pulsebase.client;

/** A change of a channel's presence: a full {@code SYNC} (on each (re)subscribe) or a join, update or leave. */
@FunctionalInterface
public interface PresenceListener {
    void onPresence(PresenceEvent event);
}
