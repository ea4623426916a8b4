package io.pulsebase.core.presence;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The presence of one node, in memory: per channel, an insertion-ordered map of key to member record, guarded by
 * the map's own lock. An emptied channel is removed, so idle channels cost nothing.
 */
public final class MemoryPresenceStore implements PresenceStore {
    private final ConcurrentHashMap<String, LinkedHashMap<String, PresenceMember>> channels =
            new ConcurrentHashMap<>();

    @Override
    public PresenceChange track(String topic, PresenceMember member, int maxMembers) {
        // Not Map.copyOf: JSON state may hold nulls.
        PresenceMember copy = new PresenceMember(member.key(), member.userId(),
                Collections.unmodifiableMap(new LinkedHashMap<>(member.state())));
        String key = copy.key();
        PresenceChange[] change = new PresenceChange[1];
        channels.compute(topic, (t, members) -> {
            LinkedHashMap<String, PresenceMember> m = members == null ? new LinkedHashMap<>() : members;
            boolean present = m.containsKey(key);
            if (!present && m.size() >= maxMembers) {
                throw new PresenceFullException(topic, maxMembers);
            }
            m.put(key, copy);
            change[0] = new PresenceChange(topic, present ? PresenceChange.Kind.UPDATE : PresenceChange.Kind.JOIN,
                    copy);
            return m;
        });
        return change[0];
    }

    @Override
    public Optional<PresenceChange> untrack(String topic, String key) {
        PresenceChange[] change = new PresenceChange[1];
        channels.computeIfPresent(topic, (t, members) -> {
            PresenceMember last = members.remove(key);
            if (last != null) {
                change[0] = new PresenceChange(topic, PresenceChange.Kind.LEAVE, last);
            }
            return members.isEmpty() ? null : members;
        });
        return Optional.ofNullable(change[0]);
    }

    @Override
    public List<PresenceMember> members(String topic) {
        List<PresenceMember> result = new ArrayList<>();
        channels.computeIfPresent(topic, (t, members) -> {
            result.addAll(members.values());
            return members;
        });
        return result;
    }

    @Override
    public void close() {
        channels.clear();
    }
}
