package io.pulsebase.core.filter;

import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.Objects;

/**
 * Compiles the filter language, a subset of SQL's {@code WHERE}, into {@link RowFilter}s that agree with
 * SQLite evaluating the same clause on the same row.
 *
 * <h2>Language</h2>
 * {@code = != <> < <= > >=}, {@code [NOT] IN (...)}, {@code [NOT] LIKE}, {@code IS [NOT] NULL},
 * {@code [NOT] BETWEEN a AND b}, {@code AND}, {@code OR}, {@code NOT}, parentheses. Literals: single-quoted
 * strings ({@code ''} is a quote), integers, decimals and exponents ({@code -1.5e3}), {@code TRUE} /
 * {@code FALSE} (1 / 0, as in SQLite), {@code NULL}. Keywords are case-insensitive. Columns are bare
 * identifiers ({@code [A-Za-z_][A-Za-z0-9_]*}) or double-quoted ({@code "odd name"}), matched against the
 * schema case-insensitively. Either side of a comparison may be a column or a literal; a value on its own
 * is a condition ({@code WHERE active}). Filters are at most {@value #MAX_LENGTH} characters and nest at most
 * {@value #MAX_DEPTH} levels (parentheses and NOTs).
 *
 * <h2>Semantics</h2>
 * SQLite's: three-valued logic, numbers compared exactly across integer and real, NULL &lt; numbers &lt; text,
 * text by code point, {@code LIKE} case-insensitive for ASCII only, and SQLite's affinity rule (a text literal
 * compared with a numeric column is read as a number if it is one; a number compared with a TEXT column is
 * read as text). See {@link FilterExpr} for how the parsed tree is normalized.
 *
 * <h2>Why a hand-written parser</h2>
 * The grammar is a dozen rules; a generated parser or a SQL library would be more code than the grammar,
 * would accept much more than we evaluate, and would word errors its own way. By hand we get exact error
 * positions ({@code unknown column 'colour' at position 12}), one exception type for every bad input, a hard
 * bound on length and depth, and no third-party surface to fuzz but our own.
 *
 * <p>Every error is a {@link ProtocolException} with {@link ErrorCode#INVALID_FILTER} whose message says
 * what was wrong and where (1-based character position); the message is safe to show to a client.
 */
public final class FilterCompiler {
    /** The longest filter accepted, in characters. */
    public static final int MAX_LENGTH = 4096;
    /** The deepest nesting accepted, counting parentheses and NOTs. */
    public static final int MAX_DEPTH = 64;

    private FilterCompiler() {
    }

    /**
     * Compiles a filter for a table. A {@code null} or blank text is {@link RowFilter#ALL}.
     *
     * @throws ProtocolException with {@link ErrorCode#INVALID_FILTER} when the text does not parse or names a
     *                           column the table does not have
     */
    public static RowFilter compile(String text, TableSchema schema) {
        Objects.requireNonNull(schema, "schema");
        if (text == null || text.isBlank()) {
            return RowFilter.ALL;
        }
        return new CompiledFilter(parse(text, schema));
    }

    /**
     * Compiles a filter text the server built itself (a policy bound to a caller, joined with the caller's filter),
     * which may be longer than a client's filter is allowed to be; the nesting bound still applies.
     */
    public static RowFilter compileServerText(String text, TableSchema schema, int maxLength) {
        Objects.requireNonNull(schema, "schema");
        if (text.length() > maxLength) {
            throw new ProtocolException(ErrorCode.INVALID_FILTER,
                    "filter is " + text.length() + " characters long; the limit is " + maxLength);
        }
        return new CompiledFilter(FilterParser.parse(text, schema));
    }

    /**
     * Parses a filter into its normalized syntax tree (for callers that translate filters, for example into
     * another database's SQL). Same errors as {@link #compile}; a blank text is an error here.
     */
    public static FilterExpr parse(String text, TableSchema schema) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(schema, "schema");
        if (text.length() > MAX_LENGTH) {
            throw new ProtocolException(ErrorCode.INVALID_FILTER,
                    "filter is " + text.length() + " characters long; the limit is " + MAX_LENGTH);
        }
        return FilterParser.parse(text, schema);
    }
}
