package io.pulsebase.core.filter;

import java.util.List;

/** Any term holds (three-valued: true if any is true, else unknown if any is unknown). At least two terms. */
public record Or(List<FilterExpr> terms) implements FilterExpr {
    public Or {
        terms = List.copyOf(terms);
    }
}
