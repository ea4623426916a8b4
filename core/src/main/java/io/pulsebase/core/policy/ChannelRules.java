package io.pulsebase.core.policy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Who may subscribe to, publish on, read the history of and track presence in which channels: an ordered list of
 * rules, each a {@linkplain ChannelPattern pattern} and, per {@link ChannelAction}, the least role allowed
 * ({@code anon} &lt; {@code user} &lt; {@code service}).
 *
 * <p>Rules. A {@linkplain Identity#isService() service} caller may do everything. For anyone else the <b>first</b>
 * rule whose pattern matches the channel (for this caller: {@code {auth.sub}} segments compare with the caller's
 * claims) decides: the action is allowed when the rule names it and the caller's role is at least the one named.
 * An action the deciding rule does not name is denied, and so is every action on a channel no rule matches.
 *
 * <p>The file format ({@code "channels"} in the {@code --policies} file), JSON:
 * <pre>{@code
 * "channels": [
 *     {"pattern": "notifications/{auth.sub}", "subscribe": "user"},
 *     {"pattern": "notifications/**", "publish": "service"},
 *     {"pattern": "chat/*", "subscribe": "user", "publish": "user", "history": "user", "presence": "user"},
 *     {"pattern": "public/**", "subscribe": "anon", "history": "anon"}]
 * }</pre>
 * Immutable and thread-safe.
 */
public final class ChannelRules {
    private record Rule(ChannelPattern pattern, Map<ChannelAction, Role> least) {
    }

    private final List<Rule> rules;

    private ChannelRules(List<Rule> rules) {
        this.rules = rules;
    }

    /**
     * Reads the {@code "channels"} array of a policy file.
     *
     * @throws IllegalArgumentException naming the rule (its index and pattern) and the problem
     */
    static ChannelRules parse(JsonNode node) {
        if (!node.isArray()) {
            throw new IllegalArgumentException("policies: 'channels' must be an array of rules");
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            rules.add(rule(i, node.get(i)));
        }
        return new ChannelRules(List.copyOf(rules));
    }

    private static Rule rule(int index, JsonNode node) {
        String where = "policies: channels[" + index + "]";
        if (!node.isObject()) {
            throw new IllegalArgumentException(where + " must be an object with a 'pattern'");
        }
        JsonNode patternNode = node.get("pattern");
        if (patternNode == null || !patternNode.isTextual()) {
            throw new IllegalArgumentException(where + ": 'pattern' is required and must be a string");
        }
        where += " (pattern '" + patternNode.asText() + "')";
        ChannelPattern pattern;
        try {
            pattern = ChannelPattern.parse(patternNode.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        Map<ChannelAction, Role> least = new EnumMap<>(ChannelAction.class);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            if (entry.getKey().equals("pattern")) {
                continue;
            }
            ChannelAction action = Arrays.stream(ChannelAction.values())
                    .filter(a -> a.configName().equals(entry.getKey())).findFirst().orElse(null);
            if (action == null) {
                throw new IllegalArgumentException(where + ": unknown action '" + entry.getKey()
                        + "' (subscribe, publish, history or presence)");
            }
            Role role = entry.getValue().isTextual() ? role(entry.getValue().asText()) : null;
            if (role == null) {
                throw new IllegalArgumentException(where + ", " + action.configName() + ": unknown role "
                        + entry.getValue() + " (anon, user or service)");
            }
            least.put(action, role);
        }
        return new Rule(pattern, least);
    }

    private static Role role(String name) {
        return switch (name) {
            case "anon" -> Role.ANON;
            case "user" -> Role.USER;
            case "service" -> Role.SERVICE;
            default -> null;
        };
    }

    /** How many rules there are. */
    public int size() {
        return rules.size();
    }

    /** Whether the caller may take the action on the channel (the topic need not be a valid channel name). */
    public boolean allows(Identity caller, ChannelAction action, String topic) {
        if (caller.isService()) {
            return true;
        }
        for (Rule rule : rules) {
            if (rule.pattern().matches(topic, caller)) {
                Role least = rule.least().get(action);
                return least != null && caller.role().compareTo(least) >= 0;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("ChannelRules[");
        for (Rule rule : rules) {
            out.append(rule.pattern()).append(' ');
            rule.least().forEach((a, r) -> out.append(a.configName()).append('=')
                    .append(r.name().toLowerCase(Locale.ROOT)).append(' '));
        }
        return out.append(']').toString();
    }
}
