package io.pulsebase.core.channel;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;

/**
 * The channel name rule: a topic with {@code /} is a channel; 3–200 characters, {@code /}-separated non-empty
 * segments of {@code A-Z a-z 0-9 _ - . : @ = +}. Checked by hand (no regex) because it runs on every publish.
 */
public final class ChannelNames {
    public static final int MIN_LENGTH = 3;
    public static final int MAX_LENGTH = 200;

    private ChannelNames() {
    }

    /** Whether the topic names a channel rather than a table. */
    public static boolean isChannel(String topic) {
        return topic.indexOf('/') >= 0;
    }

    /** Throws {@code invalid_topic} unless the topic is a well-formed channel name. */
    public static void require(String topic) {
        String problem = problem(topic);
        if (problem != null) {
            throw new ProtocolException(ErrorCode.INVALID_TOPIC, "invalid channel name '" + clip(topic) + "': " + problem);
        }
    }

    /** What is wrong with the name, or {@code null} when it is a valid channel name. */
    static String problem(String topic) {
        if (topic.indexOf('/') < 0) {
            return "a channel name contains '/' (a topic without one is a table)";
        }
        if (topic.length() < MIN_LENGTH || topic.length() > MAX_LENGTH) {
            return "must be " + MIN_LENGTH + "-" + MAX_LENGTH + " characters long";
        }
        char previous = '/';
        for (int i = 0; i < topic.length(); i++) {
            char c = topic.charAt(i);
            if (c == '/') {
                if (previous == '/') {
                    return "segments between '/' must not be empty";
                }
            } else if (!allowed(c)) {
                return "character '" + (Character.isISOControl(c) ? "\\u" + Integer.toHexString(c) : c)
                        + "' at " + (i + 1) + " is not allowed (letters, digits and _ - . : @ = + only)";
            }
            previous = c;
        }
        if (previous == '/') {
            return "segments between '/' must not be empty";
        }
        return null;
    }

    private static boolean allowed(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '_' || c == '-' || c == '.' || c == ':' || c == '@' || c == '=' || c == '+';
    }

    private static String clip(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "…";
    }
}
