package io.pulsebase.testkit.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.presence.PresenceChange;
import io.pulsebase.core.presence.PresenceChange.Kind;
import io.pulsebase.core.presence.PresenceFullException;
import io.pulsebase.core.presence.PresenceMember;
import io.pulsebase.core.presence.PresenceStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@link PresenceStore} contract, one group of tests per numbered rule of its Javadoc. */
@Timeout(60)
public abstract class PresenceStoreContract {

    /** A fresh, empty store of the implementation under test. */
    protected abstract PresenceStore newStore();

    private PresenceStore store;

    /** A member of user {@code user-<key>}. */
    private static PresenceMember member(String key, Map<String, Object> state) {
        return new PresenceMember(key, "user-" + key, state);
    }

    @BeforeEach
    void open() {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void rule1_trackJoinsThenUpdatesAndUntrackLeavesWithTheLastState() {
        PresenceChange join = store.track("room/1", member("a", Map.of("name", "Ada")), 10);
        PresenceChange update = store.track("room/1", member("a", Map.of("name", "Ada L.")), 10);
        PresenceChange leave = store.untrack("room/1", "a").orElseThrow();

        assertThat(join).isEqualTo(new PresenceChange("room/1", Kind.JOIN, member("a", Map.of("name", "Ada"))));
        assertThat(update).isEqualTo(new PresenceChange("room/1", Kind.UPDATE, member("a", Map.of("name", "Ada L."))));
        assertThat(leave).isEqualTo(new PresenceChange("room/1", Kind.LEAVE, member("a", Map.of("name", "Ada L."))));
        assertThat(leave.userId()).isEqualTo("user-a");
        assertThat(store.untrack("room/1", "a")).isEmpty();
        assertThat(store.members("room/1")).isEmpty();
    }

    @Test
    void rule1_stateMayHoldJsonNulls() {
        Map<String, Object> state = new HashMap<>();
        state.put("cursor", null);
        store.track("room/1", member("a", state), 10);
        assertThat(store.members("room/1").get(0).state()).containsEntry("cursor", null);
    }

    @Test
    void rule1_theMemberRecordIsKeptAsGivenUserIncludedAndAnAbsentUserStaysAbsent() {
        PresenceChange tab1 = store.track("room/1", new PresenceMember("k1", "ada", Map.of("tab", 1L)), 10);
        store.track("room/1", new PresenceMember("k2", "ada", Map.of("tab", 2L)), 10);
        store.track("room/1", new PresenceMember("k3", null, Map.of("userId", "ada")), 10);
        PresenceChange update = store.track("room/1", new PresenceMember("k1", "ada", Map.of("tab", 3L)), 10);

        assertThat(tab1.userId()).isEqualTo("ada");
        assertThat(update).isEqualTo(new PresenceChange("room/1", Kind.UPDATE,
                new PresenceMember("k1", "ada", Map.of("tab", 3L))));
        assertThat(store.members("room/1")).containsExactly(
                new PresenceMember("k1", "ada", Map.of("tab", 3L)),
                new PresenceMember("k2", "ada", Map.of("tab", 2L)),
                new PresenceMember("k3", null, Map.of("userId", "ada")));
        assertThat(store.untrack("room/1", "k3").orElseThrow().member())
                .isEqualTo(new PresenceMember("k3", null, Map.of("userId", "ada")));
    }

    @Test
    void rule2_membersInJoinOrderAndAnUpdateKeepsItsPlace() {
        store.track("room/1", member("a", Map.of("n", 1L)), 10);
        store.track("room/1", member("b", Map.of("n", 2L)), 10);
        store.track("room/1", member("c", Map.of("n", 3L)), 10);
        store.track("room/1", member("a", Map.of("n", 4L)), 10);
        store.untrack("room/1", "b");

        assertThat(store.members("room/1")).containsExactly(
                member("a", Map.of("n", 4L)), member("c", Map.of("n", 3L)));
    }

    @Test
    void rule3_aJoinBeyondTheLimitIsRefusedAndChangesNothingButUpdatesPass() {
        store.track("room/1", member("a", Map.of()), 2);
        store.track("room/1", member("b", Map.of()), 2);

        assertThatThrownBy(() -> store.track("room/1", member("c", Map.of()), 2)).isInstanceOf(PresenceFullException.class);
        assertThat(store.members("room/1")).extracting(PresenceMember::key).containsExactly("a", "b");
        assertThat(store.track("room/1", member("b", Map.of("x", 1L)), 2).kind()).isEqualTo(Kind.UPDATE);
    }

    @Test
    void rule4_concurrentTracksAndUntracksLeaveAConsistentMembership() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        String key = thread + "-" + i;
                        store.track("room/busy", member(key, Map.of("i", (long) i)), 100_000);
                        if (i % 2 == 0) {
                            store.untrack("room/busy", key);
                        }
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.members("room/busy")).hasSize(8 * 100)
                .allSatisfy(m -> assertThat(Integer.parseInt(m.key().split("-")[1]) % 2).isEqualTo(1));
    }

    @Test
    void rule5_channelsAreIndependent() {
        store.track("room/1", member("a", Map.of()), 1);
        store.track("room/2", member("a", Map.of()), 1);
        store.untrack("room/1", "a");

        assertThat(store.members("room/1")).isEmpty();
        assertThat(store.members("room/2")).extracting(PresenceMember::key).containsExactly("a");
        assertThat(store.members("room/never")).isEmpty();
    }
}
