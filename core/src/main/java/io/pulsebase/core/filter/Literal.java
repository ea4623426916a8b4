package io.pulsebase.core.filter;

/** A constant: {@code Long}, {@code Double}, {@code String}, or {@code null} for NULL. */
public record Literal(Object value) implements Operand {
    public static final Literal NULL = new Literal(null);

    public boolean isNull() {
        return value == null;
    }
}
