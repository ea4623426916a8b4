package io.pulsebase.core.filter;

/**
 * One token of a filter. {@code text} is the identifier (unquoted), the string's value (unescaped) or the
 * number as written; {@code position} is the 0-based offset of its first character.
 */
record Token(Kind kind, String text, int position) {

    enum Kind {
        IDENTIFIER,
        QUOTED_IDENTIFIER,
        STRING,
        NUMBER,
        EQ,
        NE,
        LT,
        LE,
        GT,
        GE,
        LEFT_PAREN,
        RIGHT_PAREN,
        COMMA,
        PLUS,
        MINUS,
        END
    }

    /** Whether this is the bare word {@code keyword} (case-insensitive, ASCII). */
    boolean is(String keyword) {
        return kind == Kind.IDENTIFIER && text.equalsIgnoreCase(keyword);
    }

    /** How an error message shows this token. */
    String describe() {
        return switch (kind) {
            case END -> "the end of the filter";
            case STRING -> "'" + abbreviate(text).replace("'", "''") + "'";
            case QUOTED_IDENTIFIER -> "\"" + abbreviate(text).replace("\"", "\"\"") + "\"";
            default -> "'" + abbreviate(text) + "'";
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
