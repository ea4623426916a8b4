package io.pulsebase.core.filter;

import java.util.List;

/**
 * {@code operand [NOT] IN (values...)}: true if equal to one value; otherwise unknown if the operand or any
 * value is NULL; otherwise false. {@code NOT IN} is the negation of that. At least one value.
 */
public record In(Operand operand, List<Literal> values, boolean negated) implements FilterExpr {
    public In {
        values = List.copyOf(values);
    }
}
