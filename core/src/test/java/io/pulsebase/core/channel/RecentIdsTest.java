package io.pulsebase.core.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentIdsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aRepeatedIdWithinTheWindowIsADuplicateWithTheSettledPosition() {
        RecentIds ids = new RecentIds(10 * SECOND, 100);
        assertThat(ids.claim("a/b", "m1", 0).duplicate()).isFalse();
        ids.settle("a/b", "m1", 42);

        assertThat(ids.claim("a/b", "m1", 5 * SECOND)).isEqualTo(new RecentIds.Claim(true, 42));
    }

    @Test
    void theSameIdOnAnotherTopicIsAnotherMessage() {
        RecentIds ids = new RecentIds(10 * SECOND, 100);
        ids.claim("a/b", "m1", 0);
        assertThat(ids.claim("a/c", "m1", 0).duplicate()).isFalse();
    }

    @Test
    void anIdIsForgottenAfterTheWindow() {
        RecentIds ids = new RecentIds(10 * SECOND, 100);
        ids.claim("a/b", "m1", 0);
        assertThat(ids.claim("a/b", "m1", 11 * SECOND).duplicate()).isFalse();
    }

    @Test
    void aReleasedClaimIsNotADuplicate() {
        RecentIds ids = new RecentIds(10 * SECOND, 100);
        ids.claim("a/b", "m1", 0);
        ids.release("a/b", "m1");
        assertThat(ids.claim("a/b", "m1", 1).duplicate()).isFalse();
    }

    @Test
    void beyondTheBoundTheOldestIdsAreForgotten() {
        RecentIds ids = new RecentIds(10 * SECOND, 3);
        for (int i = 0; i < 5; i++) {
            ids.claim("a/b", "m" + i, i);
        }
        assertThat(ids.size()).isEqualTo(3);
        assertThat(ids.claim("a/b", "m0", 6).duplicate()).isFalse();
        assertThat(ids.claim("a/b", "m4", 6).duplicate()).isTrue();
    }

    @Test
    void rememberedIdsAgeFromWhenTheyWereFirstSeen() {
        RecentIds ids = new RecentIds(10 * SECOND, 100);
        ids.remember("a/b", "old", 7, 100 * SECOND, 9 * SECOND);
        assertThat(ids.claim("a/b", "old", 100 * SECOND)).isEqualTo(new RecentIds.Claim(true, 7));
        assertThat(ids.claim("a/b", "old", 101 * SECOND + 1).duplicate()).isFalse();
    }
}
