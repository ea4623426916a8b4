package io.pulsebase.client;

/**
 * Options of a channel publish.
 *
 * @param persist write the message to the log: it gets a position, is kept in history and replayed on resume
 * @param id      idempotency key (1–200 characters) or null: a repeat of the same topic and id within the
 *                server's window is not delivered again. A publish with an id is also safe for the client to
 *                resend after a dropped connection, and it does (see the README).
 */
public record PublishOptions(boolean persist, String id) {
    private static final PublishOptions NONE = new PublishOptions(false, null);
    private static final PublishOptions PERSIST = new PublishOptions(true, null);

    /** Broadcast only: no position, not in history. */
    public static PublishOptions none() {
        return NONE;
    }

    /** Persisted. */
    public static PublishOptions persistent() {
        return PERSIST;
    }

    /** The same options with this idempotency id. */
    public PublishOptions withId(String newId) {
        return new PublishOptions(persist, newId);
    }
}
