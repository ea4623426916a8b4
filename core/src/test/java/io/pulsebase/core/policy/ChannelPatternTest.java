package io.pulsebase.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelPatternTest {
    private static final Identity ADA = new Identity("default", "ada", Role.USER,
            Map.of("sub", "ada", "org", Map.of("id", 42L), "teams", List.of("a")), null);
    private static final Identity ANON = Identity.anonymous("default");

    private static boolean matches(String pattern, String topic) {
        return ChannelPattern.parse(pattern).matches(topic, ADA);
    }

    @Test
    void literalsMatchExactlyAndCaseSensitively() {
        assertThat(matches("chat/general", "chat/general")).isTrue();
        assertThat(matches("chat/general", "chat/General")).isFalse();
        assertThat(matches("chat/general", "chat/general/x")).isFalse();
        assertThat(matches("chat/general", "chat/gen")).isFalse();
        assertThat(matches("chat/general", "chat")).isFalse();
    }

    @Test
    void aStarIsExactlyOneSegment() {
        assertThat(matches("chat/*", "chat/a")).isTrue();
        assertThat(matches("chat/*", "chat/a/b")).isFalse();
        assertThat(matches("chat/*", "chat")).isFalse();
        assertThat(matches("*/general", "room/general")).isTrue();
        assertThat(matches("*/*", "a/b")).isTrue();
        assertThat(matches("*/*", "a/b/c")).isFalse();
    }

    @Test
    void aDoubleStarAtTheEndIsOneOrMoreSegments() {
        assertThat(matches("chat/**", "chat/a")).isTrue();
        assertThat(matches("chat/**", "chat/a/b/c")).isTrue();
        assertThat(matches("chat/**", "chat")).isFalse();
        assertThat(matches("chat/**", "other/a")).isFalse();
        assertThat(matches("**", "any/channel/at/all")).isTrue();
    }

    @Test
    void aClaimSegmentMatchesOnlyTheCallersValue() {
        assertThat(matches("notifications/{auth.sub}", "notifications/ada")).isTrue();
        assertThat(matches("notifications/{auth.sub}", "notifications/bob")).isFalse();
        assertThat(matches("notifications/{auth.sub}", "notifications/ada/x")).isFalse();
        assertThat(matches("org/{auth.org.id}/**", "org/42/news")).as("nested integer claim").isTrue();
        assertThat(matches("org/{auth.org.id}/**", "org/43/news")).isFalse();
        assertThat(matches("team/{auth.teams}", "team/a")).as("a list is not a value").isFalse();
        assertThat(ChannelPattern.parse("notifications/{auth.sub}").matches("notifications/null", ANON))
                .as("no subject, no match").isFalse();
    }

    @Test
    void badPatternsAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> ChannelPattern.parse("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ChannelPattern.parse("chat")).hasMessageContaining("two segments");
        assertThatThrownBy(() -> ChannelPattern.parse("*")).hasMessageContaining("two segments");
        assertThatThrownBy(() -> ChannelPattern.parse("chat//x")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/")).hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> ChannelPattern.parse("**/x")).hasMessageContaining("last segment");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/a*")).hasMessageContaining("whole segments");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/x{auth.sub}")).hasMessageContaining("whole segments");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/{sub}")).hasMessageContaining("not a claim reference");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/{auth.}")).hasMessageContaining("not a claim reference");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/{auth.9x}")).hasMessageContaining("not a claim reference");
        assertThatThrownBy(() -> ChannelPattern.parse("chat/a b")).hasMessageContaining("cannot occur");
    }
}
