package io.pulsebase.core.policy;

import io.pulsebase.core.auth.Identity;
import java.util.ArrayList;
import java.util.List;

/**
 * The channel names a rule applies to: {@code /}-separated segments, each one of
 * <ul>
 *   <li>a literal ({@code chat}), matched exactly (channel names are case-sensitive);</li>
 *   <li>{@code *}: exactly one segment, whatever it is;</li>
 *   <li>{@code **}, as the last segment only: one or more segments;</li>
 *   <li>{@code {auth.<claim>}} ({@code {auth.sub}}, {@code {auth.org.id}}): exactly one segment, equal to the caller's
 *       claim value (a string, or an integer's digits); a caller without that claim, or with a list or object in it,
 *       never matches.</li>
 * </ul>
 * {@code *}, {@code **} and braces are whole segments only. A pattern must be able to match a channel (which has a
 * {@code /}): at least two segments, or {@code **} alone. Matching splits nothing and allocates nothing (it runs on
 * every publish). Immutable and thread-safe.
 */
final class ChannelPattern {
    private static final String ANY_ONE = "*";
    private static final String ANY_REST = "**";

    /** One segment: a literal, or a wildcard, or a claim path. */
    private record Segment(String literal, boolean anyOne, boolean anyRest, List<String> claim) {
    }

    private final String text;
    private final List<Segment> segments;

    private ChannelPattern(String text, List<Segment> segments) {
        this.text = text;
        this.segments = segments;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong with the pattern
     */
    static ChannelPattern parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("a pattern must not be empty");
        }
        if (text.length() > 200) {
            throw new IllegalArgumentException("a pattern is at most 200 characters");
        }
        String[] parts = text.split("/", -1);
        List<Segment> segments = new ArrayList<>(parts.length);
        for (int i = 0; i < parts.length; i++) {
            segments.add(segment(parts[i], i == parts.length - 1));
        }
        if (segments.size() == 1 && !segments.get(0).anyRest()) {
            throw new IllegalArgumentException("a channel name has a '/', so a pattern needs at least two segments "
                    + "(or is '**')");
        }
        return new ChannelPattern(text, List.copyOf(segments));
    }

    private static Segment segment(String part, boolean last) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("segments between '/' must not be empty");
        }
        if (part.equals(ANY_ONE)) {
            return new Segment(null, true, false, null);
        }
        if (part.equals(ANY_REST)) {
            if (!last) {
                throw new IllegalArgumentException("'**' may only be the last segment");
            }
            return new Segment(null, false, true, null);
        }
        if (part.startsWith("{") && part.endsWith("}")) {
            return new Segment(null, false, false, claimPath(part.substring(1, part.length() - 1)));
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '*' || c == '{' || c == '}') {
                throw new IllegalArgumentException("'" + c + "' in segment '" + part + "': '*', '**' and "
                        + "'{auth.<claim>}' must be whole segments");
            }
            if (!literal(c)) {
                throw new IllegalArgumentException("character '" + c + "' in segment '" + part + "' cannot occur "
                        + "in a channel name (letters, digits and _ - . : @ = + only)");
            }
        }
        return new Segment(part, false, false, null);
    }

    private static List<String> claimPath(String reference) {
        if (!reference.startsWith(AuthReferences.PREFIX)) {
            throw new IllegalArgumentException("'{" + reference + "}' is not a claim reference ({auth.<claim>})");
        }
        String[] names = reference.substring(AuthReferences.PREFIX.length()).split("\\.", -1);
        for (String name : names) {
            if (name.isEmpty() || !identifier(name)) {
                throw new IllegalArgumentException("'{" + reference + "}' is not a claim reference ({auth.<claim>})");
            }
        }
        return List.of(names);
    }

    private static boolean identifier(String name) {
        char first = name.charAt(0);
        if (!(first >= 'a' && first <= 'z' || first >= 'A' && first <= 'Z' || first == '_')) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    private static boolean literal(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '_' || c == '-' || c == '.' || c == ':' || c == '@' || c == '=' || c == '+';
    }

    /** Whether the channel name matches this pattern for this caller. */
    boolean matches(String topic, Identity caller) {
        int at = 0;
        int n = topic.length();
        for (Segment segment : segments) {
            if (at > n) {
                return false; // the topic ran out of segments
            }
            if (segment.anyRest()) {
                return at < n; // one or more segments left
            }
            int end = topic.indexOf('/', at);
            if (end < 0) {
                end = n;
            }
            if (!segmentMatches(segment, topic, at, end, caller)) {
                return false;
            }
            at = end + 1;
        }
        return at == n + 1; // the last segment ended at the end of the topic
    }

    private static boolean segmentMatches(Segment segment, String topic, int start, int end, Identity caller) {
        if (segment.anyOne()) {
            return end > start;
        }
        String expected = segment.literal() != null ? segment.literal() : claimText(caller, segment.claim());
        return expected != null && expected.length() == end - start && topic.startsWith(expected, start);
    }

    private static String claimText(Identity caller, List<String> path) {
        return switch (AuthReferences.lookup(caller, path)) {
            case String s -> s.isEmpty() ? null : s;
            case Long l -> Long.toString(l);
            case Integer i -> Integer.toString(i);
            case null, default -> null;
        };
    }

    @Override
    public String toString() {
        return text;
    }
}
