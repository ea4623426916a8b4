package io.pulsebase.core.filter;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A filter compiled by {@link FilterCompiler}: its conditions, canonical text and index key. The tree itself
 * is not kept (a live query may exist a million times over; {@link FilterCompiler#parse} gives the tree).
 */
final class CompiledFilter implements RowFilter {
    private final Condition condition;
    private final String canonical;
    private final Optional<EqualityKey> indexKey;

    CompiledFilter(FilterExpr expression) {
        this.condition = Conditions.compile(expression);
        this.canonical = CanonicalText.of(expression);
        this.indexKey = findIndexKey(expression);
    }

    @Override
    public boolean matches(Map<String, Object> row) {
        return condition.test(row) == Truth.TRUE;
    }

    @Override
    public String canonical() {
        return canonical;
    }

    @Override
    public Optional<EqualityKey> indexKey() {
        return indexKey;
    }

    @Override
    public String toString() {
        return canonical;
    }

    /**
     * The first {@code column = literal} among the top-level conjuncts, else the first
     * {@code column IN (literals)} without NULL; the literals are already converted by the column's affinity,
     * so their index keys equal those of the row values they match.
     */
    private static Optional<EqualityKey> findIndexKey(FilterExpr expression) {
        List<FilterExpr> terms = expression instanceof And and ? and.terms() : List.of(expression);
        for (FilterExpr term : terms) {
            if (term instanceof Compare c && c.op() == CompareOp.EQ && c.left() instanceof ColumnRef column
                    && c.right() instanceof Literal literal && !literal.isNull()) {
                return Optional.of(new EqualityKey(column.name(), Set.of(SqlValues.indexKey(literal.value()))));
            }
        }
        for (FilterExpr term : terms) {
            if (term instanceof In in && !in.negated() && in.operand() instanceof ColumnRef column
                    && in.values().stream().noneMatch(Literal::isNull)) {
                Set<Object> keys = new LinkedHashSet<>();
                for (Literal value : in.values()) {
                    keys.add(SqlValues.indexKey(value.value()));
                }
                return Optional.of(new EqualityKey(column.name(), keys));
            }
        }
        return Optional.empty();
    }
}
