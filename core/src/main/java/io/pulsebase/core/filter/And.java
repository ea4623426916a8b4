package io.pulsebase.core.filter;

import java.util.List;

/** All terms hold (three-valued: false if any is false, else unknown if any is unknown). At least two terms. */
public record And(List<FilterExpr> terms) implements FilterExpr {
    public And {
        terms = List.copyOf(terms);
    }
}
