package io.pulsebase.client;

/** One row change of a table subscription; runs after the whole transaction was applied to {@code rows()}. */
@FunctionalInterface
public interface ChangeListener {
    void onChange(ChangeEvent change);
}
