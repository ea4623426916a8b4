package io.pulsebase.client;

/**
 * The server's answer to a publish.
 *
 * @param position  the log position of a persisted message (of the first one, for a duplicate), 0 otherwise
 * @param duplicate the id was seen before: the message was not delivered again
 */
public record PublishResult(long position, boolean duplicate) {
}
