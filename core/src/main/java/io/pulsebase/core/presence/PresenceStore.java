package io.pulsebase.core.presence;

import java.util.List;
import java.util.Optional;

/**
 * Who is present in each channel: an in-process map on one node ({@link MemoryPresenceStore}), Redis in a
 * cluster. It only keeps state; announcing changes to subscribers is the channel code's job (through the broker).
 *
 * <p>Contract (every implementation must pass {@code PresenceStoreContract}):
 * <ol>
 *   <li>A key is a member of a channel at most once. {@link #track} of a new key answers {@code JOIN}, of a
 *       present key {@code UPDATE} (the member record — state and user — is replaced); {@link #untrack} of a
 *       present key answers {@code LEAVE} with the member as it last was, of an absent key nothing. The member
 *       record ({@link PresenceMember}: key, user, state) is the stored value, kept and answered as given —
 *       a {@code null} user stays {@code null}, and a state may hold JSON nulls.</li>
 *   <li>{@link #members} answers the current members in the order they joined (an update keeps the place).</li>
 *   <li>A join that would exceed {@code maxMembers} is refused with {@link PresenceFullException} and changes
 *       nothing; updates of present members are always allowed.</li>
 *   <li>Thread-safe; each call is atomic. Calls may block on I/O (a remote store), so they are never made on a
 *       network event loop.</li>
 *   <li>Channels are independent; a channel without members takes no space.</li>
 * </ol>
 */
public interface PresenceStore extends AutoCloseable {

    /** Joins the member (by its key) to the channel, or replaces its record when the key is already a member. */
    PresenceChange track(String topic, PresenceMember member, int maxMembers);

    /** Removes {@code key} from the channel; the {@code LEAVE} change, or empty when it was not a member. */
    Optional<PresenceChange> untrack(String topic, String key);

    /** The channel's current members, in join order. */
    List<PresenceMember> members(String topic);

    @Override
    void close();
}
