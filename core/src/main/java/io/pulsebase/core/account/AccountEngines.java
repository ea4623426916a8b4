package io.pulsebase.core.account;

import io.pulsebase.core.Node;

/**
 * Where each account's engines come from: the storage an account's tables, log, positions and channel history live
 * in, and the broker and presence store its events go through. Giving every account engines of its own is what
 * isolates accounts: nothing one account's sessions can name — a table, a filter, a position, a channel — reaches
 * another account's engines, because the node routes every session and request to its caller's account first
 * ({@link AccountSpaces}).
 *
 * <p>Contract: {@link #open} is called at most once per account while a node runs (the node keeps what it returns
 * and closes it when the node closes), from any thread, never concurrently for the same account. It may block on
 * I/O (creating a database file). It must return engines that share nothing with another account's: a separate
 * database and log (so positions are the account's own), and a broker and presence store whose topics are the
 * account's alone.
 */
@FunctionalInterface
public interface AccountEngines {
    /**
     * Opens (creating when needed) the engines of {@code account}, a valid account id
     * ({@link io.pulsebase.core.auth.AccountIds}).
     *
     * @throws RuntimeException when the account's storage cannot be opened; the caller is answered
     *                          {@code unavailable} and a later request tries again
     */
    Node.Engines open(String account);
}
