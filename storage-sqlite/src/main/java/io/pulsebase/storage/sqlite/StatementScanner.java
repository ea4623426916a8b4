package io.pulsebase.storage.sqlite;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Just enough SQL lexing to tell what a client's statement is, before SQLite sees it: that the text holds
 * exactly one statement (the driver would silently ignore everything after the first), which keyword starts
 * it, and for {@code PRAGMA} its name and whether it sets a value. Strings, quoted identifiers and comments are
 * skipped; semicolons inside a {@code CREATE TRIGGER} body do not end the statement (as in
 * {@code sqlite3_complete}, the trigger ends at {@code END;}, counting {@code CASE ... END} pairs).
 */
final class StatementScanner {

    /**
     * What the statement is. {@code pragma} is the pragma's name (lower case), or null; {@code temporary} is
     * whether it is a {@code CREATE TEMP ...}.
     */
    record Scanned(String keyword, String pragma, boolean pragmaSetsValue, boolean pragmaHasArgument,
            boolean temporary) {
    }

    private record Token(String text, char kind) {
        boolean word(String w) {
            return kind == 'w' && text.equalsIgnoreCase(w);
        }
    }

    private StatementScanner() {
    }

    static Scanned scan(String sql) {
        List<Token> tokens = tokens(sql);
        int end = statementEnd(tokens);
        for (int i = end + 1; i < tokens.size(); i++) {
            if (tokens.get(i).kind() != ';') {
                throw new ProtocolException(ErrorCode.BAD_REQUEST,
                        "only one SQL statement per request is allowed; found more after the first ';'");
            }
        }
        if (tokens.isEmpty() || tokens.get(0).kind() == ';') {
            throw new ProtocolException(ErrorCode.BAD_REQUEST, "the SQL statement is empty");
        }
        Token first = tokens.get(0);
        String keyword = first.kind() == 'w' ? first.text().toUpperCase(Locale.ROOT) : first.text();
        if (!keyword.equals("PRAGMA")) {
            boolean temporary = keyword.equals("CREATE") && tokens.size() > 1
                    && (tokens.get(1).word("TEMP") || tokens.get(1).word("TEMPORARY"));
            return new Scanned(keyword, null, false, false, temporary);
        }
        int i = 1;
        String name = i < tokens.size() ? tokens.get(i).text() : "";
        if (i + 2 < tokens.size() && tokens.get(i + 1).kind() == '.') {
            i += 2; // schema.name
            name = tokens.get(i).text();
        }
        Token after = i + 1 < tokens.size() ? tokens.get(i + 1) : null;
        boolean sets = after != null && after.kind() == '=';
        boolean argument = after != null && after.kind() == '(';
        return new Scanned(keyword, name.toLowerCase(Locale.ROOT), sets, argument, false);
    }

    /** Index of the token that ends the first statement (its ';'), or the last token. */
    private static int statementEnd(List<Token> tokens) {
        boolean trigger = isCreateTrigger(tokens);
        boolean inBody = false;
        int caseDepth = 0;
        boolean bodyEnded = false;
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (trigger) {
                if (!inBody && token.word("BEGIN")) {
                    inBody = true;
                } else if (inBody && !bodyEnded && token.word("CASE")) {
                    caseDepth++;
                } else if (inBody && !bodyEnded && token.word("END")) {
                    if (caseDepth > 0) {
                        caseDepth--;
                    } else {
                        bodyEnded = true;
                    }
                }
            }
            if (token.kind() == ';' && (!trigger || bodyEnded)) {
                return i;
            }
        }
        return tokens.size() - 1;
    }

    private static boolean isCreateTrigger(List<Token> tokens) {
        if (tokens.isEmpty() || !tokens.get(0).word("CREATE")) {
            return false;
        }
        int i = 1;
        if (i < tokens.size() && (tokens.get(i).word("TEMP") || tokens.get(i).word("TEMPORARY"))) {
            i++;
        }
        return i < tokens.size() && tokens.get(i).word("TRIGGER");
    }

    private static List<Token> tokens(String sql) {
        List<Token> tokens = new ArrayList<>();
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int eol = sql.indexOf('\n', i);
                i = eol < 0 ? n : eol + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int close = sql.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
            } else if (c == '\'' || c == '"' || c == '`') {
                int start = i;
                i = quotedEnd(sql, i, c);
                tokens.add(new Token(sql.substring(start, i), c == '\'' ? 's' : 'w'));
            } else if (c == '[') {
                int close = sql.indexOf(']', i);
                int start = i;
                i = close < 0 ? n : close + 1;
                tokens.add(new Token(sql.substring(start, i), 'w'));
            } else if (Character.isLetterOrDigit(c) || c == '_' || c == '$' || c > 0x7f) {
                int start = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_'
                        || sql.charAt(i) == '$' || sql.charAt(i) > 0x7f)) {
                    i++;
                }
                tokens.add(new Token(sql.substring(start, i), 'w'));
            } else {
                tokens.add(new Token(String.valueOf(c), c));
                i++;
            }
        }
        return tokens;
    }

    /** The index after a quoted token that starts at {@code start}; a doubled quote stands for itself. */
    private static int quotedEnd(String sql, int start, char quote) {
        int i = start + 1;
        while (i < sql.length()) {
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }
}
