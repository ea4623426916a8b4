package io.pulsebase.client;

/** One committed transaction (all its matching changes), after it was applied to {@code rows()}. */
@FunctionalInterface
public interface TransactionListener {
    void onTransaction(Transaction transaction);
}
