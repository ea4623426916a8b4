package io.pulsebase.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ChannelRulesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Identity ADA = new Identity("default", "ada", Role.USER, Map.of("sub", "ada"), null);
    private static final Identity ANON = Identity.anonymous("default");
    private static final Identity SERVICE = Identity.service("default");

    private static AccessPolicies file(String json) {
        try {
            return AccessPolicies.parse(JSON.readTree(json));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static ChannelRules rules(String channelsJson) {
        return file("{\"channels\": " + channelsJson + "}").channels().orElseThrow();
    }

    private static final ChannelRules RULES = rules("""
            [{"pattern": "notifications/{auth.sub}", "subscribe": "user"},
             {"pattern": "notifications/**", "publish": "service"},
             {"pattern": "chat/*", "subscribe": "user", "publish": "user", "history": "user", "presence": "user"},
             {"pattern": "public/**", "subscribe": "anon", "history": "anon", "publish": "user"}]""");

    @Test
    void theFirstMatchingRuleDecidesByTheLeastRoleItNames() {
        assertThat(RULES.allows(ADA, ChannelAction.SUBSCRIBE, "chat/general")).isTrue();
        assertThat(RULES.allows(ANON, ChannelAction.SUBSCRIBE, "chat/general")).isFalse();
        assertThat(RULES.allows(ANON, ChannelAction.SUBSCRIBE, "public/news")).isTrue();
        assertThat(RULES.allows(ADA, ChannelAction.SUBSCRIBE, "public/news")).as("user is more than anon").isTrue();
        assertThat(RULES.allows(ANON, ChannelAction.PUBLISH, "public/news")).isFalse();
        assertThat(RULES.allows(ADA, ChannelAction.PUBLISH, "public/news")).isTrue();
    }

    @Test
    void anActionTheDecidingRuleDoesNotNameIsDeniedEvenIfALaterRuleWouldAllowIt() {
        assertThat(RULES.allows(ADA, ChannelAction.SUBSCRIBE, "notifications/ada")).isTrue();
        assertThat(RULES.allows(ADA, ChannelAction.PUBLISH, "notifications/ada")).isFalse();
        assertThat(RULES.allows(ADA, ChannelAction.SUBSCRIBE, "notifications/bob"))
                .as("another user's: the next rule decides, and names no subscribe").isFalse();
        assertThat(RULES.allows(ADA, ChannelAction.PRESENCE, "public/news")).isFalse();
    }

    @Test
    void noMatchingRuleDeniesAndTheServiceMayAlwaysDoEverything() {
        assertThat(RULES.allows(ADA, ChannelAction.SUBSCRIBE, "secret/plans")).isFalse();
        assertThat(RULES.allows(SERVICE, ChannelAction.SUBSCRIBE, "secret/plans")).isTrue();
        assertThat(RULES.allows(SERVICE, ChannelAction.PUBLISH, "notifications/ada")).isTrue();
        assertThat(rules("[]").allows(ADA, ChannelAction.SUBSCRIBE, "chat/a")).as("empty list: all closed").isFalse();
    }

    @Test
    void withoutAChannelsKeyTheDefaultAccessHolds() {
        assertThat(file("{\"tables\": {}}").channels()).isEmpty();
        assertThat(AccessPolicies.none().channels()).isEmpty();
    }

    @Test
    void badRulesAreRefusedNamingTheRuleAndTheProblem() {
        assertThatThrownBy(() -> rules("{}")).hasMessageContaining("'channels' must be an array");
        assertThatThrownBy(() -> rules("[\"chat/*\"]")).hasMessageContaining("channels[0] must be an object");
        assertThatThrownBy(() -> rules("[{\"subscribe\": \"user\"}]"))
                .hasMessageContaining("channels[0]: 'pattern' is required");
        assertThatThrownBy(() -> rules("[{\"pattern\": \"a/*\"}, {\"pattern\": \"chat/**/x\"}]"))
                .hasMessageContaining("channels[1] (pattern 'chat/**/x'): '**' may only be the last segment");
        assertThatThrownBy(() -> rules("[{\"pattern\": \"chat/*\", \"write\": \"user\"}]"))
                .hasMessageContaining("channels[0] (pattern 'chat/*'): unknown action 'write'");
        assertThatThrownBy(() -> rules("[{\"pattern\": \"chat/*\", \"publish\": \"admin\"}]"))
                .hasMessageContaining("channels[0] (pattern 'chat/*'), publish: unknown role \"admin\"");
        assertThatThrownBy(() -> rules("[{\"pattern\": \"chat/*\", \"publish\": 1}]"))
                .hasMessageContaining("unknown role 1");
        assertThatThrownBy(() -> file("{\"channel\": []}")).hasMessageContaining("unknown key 'channel'");
    }
}
