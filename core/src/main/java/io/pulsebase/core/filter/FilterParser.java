package io.pulsebase.core.filter;

import io.pulsebase.core.filter.Token.Kind;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Recursive descent over the grammar below, building the normalized tree {@link FilterExpr} describes.
 * Precedence, loosest first: {@code OR}, {@code AND}, {@code NOT}, then the predicates.
 *
 * <pre>
 * filter    = or END
 * or        = and { OR and }
 * and       = not { AND not }
 * not       = NOT not | predicate
 * predicate = "(" or ")" | operand [ rest ]
 * rest      = compareOp operand
 *           | IS [NOT] NULL
 *           | [NOT] IN "(" literal { "," literal } ")"
 *           | [NOT] LIKE literal
 *           | [NOT] BETWEEN operand AND operand
 * operand   = column | literal
 * literal   = string | ["+" | "-"] number | TRUE | FALSE | NULL
 * </pre>
 *
 * Recursion happens only for {@code NOT} and parentheses, and both count towards {@link #MAX_DEPTH}, so
 * hostile input cannot overflow the stack (here, or when the tree is evaluated or rendered).
 */
final class FilterParser {
    private static final int MAX_DEPTH = FilterCompiler.MAX_DEPTH;

    private static final Set<String> RESERVED = Set.of("AND", "OR", "NOT", "IN", "LIKE", "IS", "BETWEEN", "NULL");
    private static final Set<String> UNSUPPORTED =
            Set.of("GLOB", "REGEXP", "MATCH", "ESCAPE", "ISNULL", "NOTNULL", "COLLATE");

    private final List<Token> tokens;
    private final TableSchema schema;
    private int index;
    private int depth;

    private FilterParser(List<Token> tokens, TableSchema schema) {
        this.tokens = tokens;
        this.schema = schema;
    }

    static FilterExpr parse(String text, TableSchema schema) {
        FilterParser parser = new FilterParser(FilterLexer.tokenize(text), schema);
        FilterExpr expr = parser.or();
        Token end = parser.peek();
        if (end.kind() != Kind.END) {
            throw parser.unexpected(end, "expected AND, OR or the end of the filter");
        }
        return expr;
    }

    private FilterExpr or() {
        FilterExpr first = and();
        if (!peek().is("OR")) {
            return first;
        }
        List<FilterExpr> terms = new ArrayList<>();
        addFlat(terms, first, true);
        while (peek().is("OR")) {
            Token or = next();
            addFlat(terms, and(or), true);
        }
        return new Or(terms);
    }

    private FilterExpr and() {
        return and(null);
    }

    private FilterExpr and(Token after) {
        FilterExpr first = not(after);
        if (!peek().is("AND")) {
            return first;
        }
        List<FilterExpr> terms = new ArrayList<>();
        addFlat(terms, first, false);
        while (peek().is("AND")) {
            Token and = next();
            addFlat(terms, not(and), false);
        }
        return new And(terms);
    }

    private static void addFlat(List<FilterExpr> terms, FilterExpr term, boolean or) {
        if (or && term instanceof Or o) {
            terms.addAll(o.terms());
        } else if (!or && term instanceof And a) {
            terms.addAll(a.terms());
        } else {
            terms.add(term);
        }
    }

    private FilterExpr not(Token after) {
        Token t = peek();
        if (t.is("NOT")) {
            next();
            enter(t);
            FilterExpr term = not(t);
            depth--;
            return new Not(term);
        }
        return predicate(after);
    }

    private FilterExpr predicate(Token after) {
        Token t = peek();
        if (t.kind() == Kind.LEFT_PAREN) {
            next();
            enter(t);
            FilterExpr inner = or();
            Token close = peek();
            if (close.kind() != Kind.RIGHT_PAREN) {
                ProtocolException e = unexpected(close, "expected ')'");
                throw FilterLexer.error("unclosed '(' at position " + (t.position() + 1) + ": " + e.getMessage());
            }
            next();
            depth--;
            if (inner instanceof IsTrue value && startsRest(peek())) {
                return rest(value.operand());
            }
            return inner;
        }
        Operand left = operand(after == null ? "a condition" : "a condition after " + after.text().toUpperCase(Locale.ROOT));
        return rest(left);
    }

    /** Whether the token can follow an operand to make a predicate of it. */
    private boolean startsRest(Token t) {
        return isCompareOp(t.kind()) || t.is("IS") || t.is("IN") || t.is("LIKE") || t.is("BETWEEN")
                || (t.is("NOT") && (peek(1).is("IN") || peek(1).is("LIKE") || peek(1).is("BETWEEN")));
    }

    private FilterExpr rest(Operand left) {
        Token t = peek();
        if (isCompareOp(t.kind())) {
            next();
            Operand right = operand("a value after '" + t.text() + "'");
            return compare(left, op(t.kind()), right);
        }
        if (t.is("IS")) {
            next();
            boolean negated = false;
            if (peek().is("NOT")) {
                next();
                negated = true;
            }
            Token nul = peek();
            if (!nul.is("NULL")) {
                throw unexpected(nul, "expected NULL after IS" + (negated ? " NOT" : "") + " (only IS NULL and IS NOT NULL are supported)");
            }
            next();
            return new IsNull(left, negated);
        }
        boolean negated = false;
        Token not = null;
        if (t.is("NOT")) {
            not = next();
            negated = true;
            t = peek();
        }
        if (t.is("IN")) {
            next();
            return in(left, negated);
        }
        if (t.is("LIKE")) {
            next();
            return like(left, t, negated);
        }
        if (t.is("BETWEEN")) {
            next();
            return between(left, negated);
        }
        if (not != null) {
            throw unexpected(t, "expected IN, LIKE or BETWEEN after NOT");
        }
        if (t.kind() == Kind.IDENTIFIER && UNSUPPORTED.contains(t.text().toUpperCase(Locale.ROOT))) {
            throw FilterLexer.error(t.text().toUpperCase(Locale.ROOT) + " is not supported, at position " + (t.position() + 1));
        }
        return new IsTrue(left);
    }

    private FilterExpr in(Operand left, boolean negated) {
        Token open = peek();
        if (open.kind() != Kind.LEFT_PAREN) {
            throw unexpected(open, "expected '(' after IN");
        }
        next();
        if (peek().kind() == Kind.RIGHT_PAREN) {
            throw FilterLexer.error("IN needs at least one value, at position " + (peek().position() + 1));
        }
        List<Literal> values = new ArrayList<>();
        while (true) {
            Token at = peek();
            Operand value = operand(values.isEmpty() ? "a value after IN (" : "a value after ','");
            if (!(value instanceof Literal literal)) {
                throw FilterLexer.error("IN takes a list of literal values; column " + at.describe()
                        + " at position " + (at.position() + 1) + " is not one");
            }
            values.add(left instanceof ColumnRef c ? convert(literal, c.affinity()) : literal);
            Token sep = peek();
            if (sep.kind() == Kind.COMMA) {
                next();
            } else if (sep.kind() == Kind.RIGHT_PAREN) {
                next();
                return new In(left, values, negated);
            } else {
                throw unexpected(sep, "expected ',' or ')' in the IN list");
            }
        }
    }

    private FilterExpr like(Operand left, Token like, boolean negated) {
        Token at = peek();
        Operand pattern = operand("a pattern after LIKE");
        if (!(pattern instanceof Literal literal)) {
            throw FilterLexer.error("LIKE takes a literal pattern; column " + at.describe()
                    + " at position " + (at.position() + 1) + " is not one");
        }
        if (peek().is("ESCAPE")) {
            throw FilterLexer.error("ESCAPE is not supported, at position " + (peek().position() + 1));
        }
        Literal text = literal.isNull() ? literal : new Literal(SqlValues.toText(literal.value()));
        return new Like(left, text, negated);
    }

    private FilterExpr between(Operand value, boolean negated) {
        Operand low = operand("a value after BETWEEN");
        Token and = peek();
        if (!and.is("AND")) {
            throw unexpected(and, "expected AND after BETWEEN's lower bound");
        }
        next();
        Operand high = operand("a value after BETWEEN ... AND");
        if (value instanceof ColumnRef column) {
            return new Between(column, convertFor(low, column), convertFor(high, column), negated);
        }
        FilterExpr result = new And(List.of(compare(value, CompareOp.GE, low), compare(value, CompareOp.LE, high)));
        return negated ? new Not(result) : result;
    }

    /** A comparison with the column first and the literal converted by the column's affinity. */
    private static FilterExpr compare(Operand left, CompareOp op, Operand right) {
        if (left instanceof Literal literal && right instanceof ColumnRef column) {
            return new Compare(column, op.swapped(), convert(literal, column.affinity()));
        }
        if (left instanceof ColumnRef column && right instanceof Literal literal) {
            return new Compare(column, op, convert(literal, column.affinity()));
        }
        return new Compare(left, op, right);
    }

    private static Operand convertFor(Operand operand, ColumnRef column) {
        return operand instanceof Literal literal ? convert(literal, column.affinity()) : operand;
    }

    private static Literal convert(Literal literal, Column.Affinity affinity) {
        Object converted = SqlValues.applyAffinity(literal.value(), affinity);
        return converted == literal.value() ? literal : new Literal(converted);
    }

    /** A column or a literal; {@code what} names what was expected, for the error message. */
    private Operand operand(String what) {
        Token t = peek();
        switch (t.kind()) {
            case STRING -> {
                next();
                return new Literal(t.text());
            }
            case NUMBER -> {
                next();
                return new Literal(number(t.text()));
            }
            case PLUS, MINUS -> {
                next();
                Token digits = peek();
                if (digits.kind() != Kind.NUMBER) {
                    throw unexpected(digits, "expected a number after '" + t.text() + "'");
                }
                next();
                return new Literal(number(t.kind() == Kind.MINUS ? "-" + digits.text() : digits.text()));
            }
            case QUOTED_IDENTIFIER -> {
                next();
                return column(t);
            }
            case IDENTIFIER -> {
                String upper = t.text().toUpperCase(Locale.ROOT);
                if ((upper.equals("TRUE") || upper.equals("FALSE")) && findColumn(t.text()) == null) {
                    next();
                    return new Literal(upper.equals("TRUE") ? 1L : 0L);
                }
                if (upper.equals("NULL")) {
                    next();
                    return Literal.NULL;
                }
                if (RESERVED.contains(upper)) {
                    throw unexpected(t, "expected " + what);
                }
                next();
                return column(t);
            }
            default -> throw unexpected(t, "expected " + what);
        }
    }

    private ColumnRef column(Token t) {
        Column c = findColumn(t.text());
        if (c == null) {
            throw FilterLexer.error("unknown column " + (t.kind() == Kind.QUOTED_IDENTIFIER ? t.describe() : "'" + t.text() + "'")
                    + " at position " + (t.position() + 1));
        }
        return new ColumnRef(c.name(), c.affinity());
    }

    /** SQLite resolves column names case-insensitively (ASCII only), quoted or not. */
    private Column findColumn(String name) {
        for (Column c : schema.columns()) {
            if (asciiEqualsIgnoreCase(c.name(), name)) {
                return c;
            }
        }
        return null;
    }

    private static boolean asciiEqualsIgnoreCase(String a, String b) {
        if (a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            char x = a.charAt(i);
            char y = b.charAt(i);
            if (x != y && lower(x) != lower(y)) {
                return false;
            }
        }
        return true;
    }

    private static char lower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }

    /** An integer literal is a Long when it fits, else (as in SQLite) a Double; anything with . or e is a Double. */
    private static Object number(String text) {
        boolean integral = true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.' || c == 'e' || c == 'E') {
                integral = false;
                break;
            }
        }
        if (integral) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException tooLarge) {
                return Double.parseDouble(text);
            }
        }
        return Double.parseDouble(text);
    }

    private static boolean isCompareOp(Kind kind) {
        return switch (kind) {
            case EQ, NE, LT, LE, GT, GE -> true;
            default -> false;
        };
    }

    private static CompareOp op(Kind kind) {
        return switch (kind) {
            case EQ -> CompareOp.EQ;
            case NE -> CompareOp.NE;
            case LT -> CompareOp.LT;
            case LE -> CompareOp.LE;
            case GT -> CompareOp.GT;
            case GE -> CompareOp.GE;
            default -> throw new IllegalArgumentException(kind.name());
        };
    }

    private void enter(Token at) {
        if (++depth > MAX_DEPTH) {
            throw FilterLexer.error("filter nests deeper than " + MAX_DEPTH + " levels at position " + (at.position() + 1));
        }
    }

    private Token peek() {
        return tokens.get(index);
    }

    private Token peek(int ahead) {
        return tokens.get(Math.min(index + ahead, tokens.size() - 1));
    }

    private Token next() {
        Token t = tokens.get(index);
        if (t.kind() != Kind.END) {
            index++;
        }
        return t;
    }

    private ProtocolException unexpected(Token t, String expectation) {
        if (t.kind() == Kind.END) {
            return FilterLexer.error(expectation + " at position " + (t.position() + 1) + ", but the filter ended");
        }
        return FilterLexer.error(expectation + " at position " + (t.position() + 1) + ", found " + t.describe());
    }
}
