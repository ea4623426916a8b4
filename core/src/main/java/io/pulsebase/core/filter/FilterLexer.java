package io.pulsebase.core.filter;

import io.pulsebase.core.filter.Token.Kind;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/** Splits a filter into tokens; positions in errors are 1-based character positions. */
final class FilterLexer {
    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;

    private FilterLexer(String text) {
        this.text = text;
    }

    /** The tokens of the text, ending with one {@link Kind#END} token. */
    static List<Token> tokenize(String text) {
        FilterLexer lexer = new FilterLexer(text);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        int n = text.length();
        while (true) {
            while (pos < n && SqlValues.isSpace(text.charAt(pos))) {
                pos++;
            }
            if (pos >= n) {
                tokens.add(new Token(Kind.END, "", n));
                return;
            }
            int start = pos;
            char c = text.charAt(pos);
            switch (c) {
                case '(' -> single(Kind.LEFT_PAREN, "(");
                case ')' -> single(Kind.RIGHT_PAREN, ")");
                case ',' -> single(Kind.COMMA, ",");
                case '+' -> single(Kind.PLUS, "+");
                case '-' -> single(Kind.MINUS, "-");
                case '=' -> {
                    pos += peek(1) == '=' ? 2 : 1;
                    tokens.add(new Token(Kind.EQ, text.substring(start, pos), start));
                }
                case '!' -> {
                    if (peek(1) != '=') {
                        throw error("unexpected character '!' at position " + (start + 1) + " (did you mean '!='?)");
                    }
                    pos += 2;
                    tokens.add(new Token(Kind.NE, "!=", start));
                }
                case '<' -> {
                    char next = peek(1);
                    if (next == '=') {
                        pos += 2;
                        tokens.add(new Token(Kind.LE, "<=", start));
                    } else if (next == '>') {
                        pos += 2;
                        tokens.add(new Token(Kind.NE, "<>", start));
                    } else {
                        single(Kind.LT, "<");
                    }
                }
                case '>' -> {
                    if (peek(1) == '=') {
                        pos += 2;
                        tokens.add(new Token(Kind.GE, ">=", start));
                    } else {
                        single(Kind.GT, ">");
                    }
                }
                case '\'' -> quoted('\'', Kind.STRING, "string");
                case '"' -> quoted('"', Kind.QUOTED_IDENTIFIER, "quoted column name");
                default -> {
                    if (SqlValues.isDigit(c) || (c == '.' && SqlValues.isDigit(peek(1)))) {
                        number();
                    } else if (isIdentifierStart(c)) {
                        while (pos < n && isIdentifierPart(text.charAt(pos))) {
                            pos++;
                        }
                        tokens.add(new Token(Kind.IDENTIFIER, text.substring(start, pos), start));
                    } else {
                        throw error("unexpected character " + show(text.codePointAt(pos)) + " at position " + (start + 1));
                    }
                }
            }
        }
    }

    private void single(Kind kind, String s) {
        tokens.add(new Token(kind, s, pos));
        pos++;
    }

    private char peek(int ahead) {
        int i = pos + ahead;
        return i < text.length() ? text.charAt(i) : '\0';
    }

    /** A quoted string or identifier; the quote character doubled stands for itself. */
    private void quoted(char quote, Kind kind, String what) {
        int start = pos;
        StringBuilder value = new StringBuilder();
        pos++;
        while (true) {
            if (pos >= text.length()) {
                throw error("unterminated " + what + " starting at position " + (start + 1));
            }
            char c = text.charAt(pos++);
            if (c == quote) {
                if (pos < text.length() && text.charAt(pos) == quote) {
                    value.append(quote);
                    pos++;
                } else {
                    break;
                }
            } else {
                value.append(c);
            }
        }
        tokens.add(new Token(kind, value.toString(), start));
    }

    /** Digits, an optional fraction, an optional exponent; a letter right after a number is an error. */
    private void number() {
        int start = pos;
        int n = text.length();
        while (pos < n && SqlValues.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (pos < n && text.charAt(pos) == '.') {
            pos++;
            while (pos < n && SqlValues.isDigit(text.charAt(pos))) {
                pos++;
            }
        }
        if (pos < n && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int q = pos + 1;
            if (q < n && (text.charAt(q) == '+' || text.charAt(q) == '-')) {
                q++;
            }
            if (q < n && SqlValues.isDigit(text.charAt(q))) {
                pos = q;
                while (pos < n && SqlValues.isDigit(text.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = q;
                throw badNumber(start);
            }
        }
        if (pos < n && (isIdentifierPart(text.charAt(pos)) || text.charAt(pos) == '.')) {
            throw badNumber(start);
        }
        tokens.add(new Token(Kind.NUMBER, text.substring(start, pos), start));
    }

    private ProtocolException badNumber(int start) {
        int end = pos;
        while (end < text.length() && (isIdentifierPart(text.charAt(end)) || text.charAt(end) == '.')) {
            end++;
        }
        String shown = text.substring(start, Math.min(end, start + 40));
        return error("invalid number '" + shown + "' at position " + (start + 1));
    }

    private static boolean isIdentifierStart(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    }

    private static boolean isIdentifierPart(char c) {
        return isIdentifierStart(c) || SqlValues.isDigit(c);
    }

    private static String show(int codePoint) {
        if (codePoint >= 0x20 && codePoint < 0x7f) {
            return "'" + (char) codePoint + "'";
        }
        return String.format("U+%04X", codePoint);
    }

    static ProtocolException error(String message) {
        return new ProtocolException(ErrorCode.INVALID_FILTER, message);
    }
}
