package io.pulsebase.protocol;

/**
 * Positions travel as strings of decimal digits, because 64-bit values do not fit a JavaScript number.
 * Within one database a later event always has a larger position; 0 means "before everything".
 */
public final class Positions {
    private Positions() {
    }

    /** Formats a position for the wire. */
    public static String format(long position) {
        return Long.toUnsignedString(position);
    }

    /**
     * Parses a wire position.
     *
     * @throws ProtocolException {@link ErrorCode#INVALID_POSITION} when the text is not 1–19 decimal digits
     *                           of a non-negative 64-bit value
     */
    public static long parse(String text) {
        if (text == null || text.isEmpty() || text.length() > 19) {
            throw new ProtocolException(ErrorCode.INVALID_POSITION, "position must be a string of decimal digits");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException(ErrorCode.INVALID_POSITION, "position must be a string of decimal digits");
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new ProtocolException(ErrorCode.INVALID_POSITION, "position is out of range");
        }
    }
}
