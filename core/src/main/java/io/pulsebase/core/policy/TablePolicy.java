package io.pulsebase.core.policy;

import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.filter.FilterCompiler;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One operation's policy on one table: an expression of the filter language over the row and the caller
 * ({@link AuthReferences}). Checked for syntax when loaded; its columns are checked against the table when it is
 * applied (a table may be created after the policy). Immutable and thread-safe.
 */
final class TablePolicy {
    /** A bound policy may be longer than a client's filter: claims such as a list of teams are spelled out. */
    static final int MAX_BOUND_LENGTH = 256 * 1024;

    private final String expression;
    private final List<AuthReferences.Reference> references;

    private TablePolicy(String expression, List<AuthReferences.Reference> references) {
        this.expression = expression;
        this.references = references;
    }

    /**
     * @throws IllegalArgumentException naming what is wrong (and where) when the expression is not a policy
     */
    static TablePolicy parse(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("a policy must not be empty (write TRUE to allow every row)");
        }
        if (expression.length() > FilterCompiler.MAX_LENGTH) {
            throw new IllegalArgumentException("a policy is at most " + FilterCompiler.MAX_LENGTH + " characters");
        }
        List<AuthReferences.Reference> references = AuthReferences.find(expression);
        String neutral = AuthReferences.neutral(expression, references);
        try {
            FilterCompiler.compile(neutral, schemaOfEveryWord(neutral));
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        return new TablePolicy(expression, references);
    }

    String expression() {
        return expression;
    }

    /** The policy for this caller, as filter text. */
    String boundText(Identity caller) {
        return AuthReferences.bind(expression, references, caller);
    }

    /** The policy for this caller, compiled against the table. */
    RowFilter compile(Identity caller, TableSchema schema) {
        return FilterCompiler.compileServerText(boundText(caller), schema, MAX_BOUND_LENGTH);
    }

    /**
     * A table with a column for every bare word of the text, so that checking the syntax does not depend on the
     * table (keywords are recognized before columns, so extra columns named like them change nothing).
     */
    private static TableSchema schemaOfEveryWord(String text) {
        Set<String> words = new LinkedHashSet<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                int after = AuthReferences.skipQuoted(text, i, c); // just past the closing quote, or the text's end
                if (c == '"' && after <= text.length() && text.charAt(after - 1) == '"' && after - 1 > i) {
                    words.add(text.substring(i + 1, after - 1).replace("\"\"", "\""));
                }
                i = after;
            } else if (Character.isLetter(c) || c == '_') {
                int start = i;
                while (i < text.length() && (Character.isLetterOrDigit(text.charAt(i)) || text.charAt(i) == '_')) {
                    i++;
                }
                words.add(text.substring(start, i));
            } else {
                i++;
            }
        }
        List<Column> columns = new ArrayList<>();
        for (String word : words) {
            columns.add(new Column(word, "", Column.Affinity.BLOB, false, false));
        }
        return new TableSchema("policy", columns, "rowid");
    }
}
