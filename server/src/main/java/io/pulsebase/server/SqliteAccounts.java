package io.pulsebase.server;

import io.pulsebase.core.Node;
import io.pulsebase.core.account.AccountEngines;
import io.pulsebase.core.auth.AccountIds;
import io.pulsebase.core.broker.MemoryBroker;
import io.pulsebase.storage.sqlite.SqliteOptions;
import io.pulsebase.storage.sqlite.SqliteStorage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Each account on SQLite files of its own: the default account in the data directory itself
 * ({@code DATA/pulsebase.db}, where a server before accounts kept everything, so upgrading moves nothing), every
 * other account in {@code DATA/accounts/<folder>/pulsebase.db}, created on the account's first use. A file per
 * account gives each its own tables, log and positions, and lets an operator back up, move or delete one account
 * by its folder. Each account also gets its own in-process broker and presence store.
 *
 * <p>The folder is the account id itself when the id has no upper-case letter. Ids are case-sensitive but some file
 * systems are not (macOS, Windows), so an id with an upper-case letter gets a suffix that tells it from every other
 * id: {@code Acme} → {@code Acme.<16 hex digits of SHA-256(id)>}. A dot never occurs in an id, so a suffixed folder
 * never equals a plain one. Thread-safe; see {@link AccountEngines} for the contract.
 */
final class SqliteAccounts implements AccountEngines {
    /** The folder under the data directory that holds the accounts other than the default one. */
    static final String ACCOUNTS_FOLDER = "accounts";

    private final Path dataDir;
    private final String defaultAccount;
    private final SqliteOptions options;

    SqliteAccounts(Path dataDir, String defaultAccount, SqliteOptions options) {
        this.dataDir = dataDir;
        this.defaultAccount = defaultAccount;
        this.options = options;
    }

    @Override
    public Node.Engines open(String account) {
        SqliteStorage storage = SqliteStorage.open(directory(account), options);
        return new Node.Engines(storage.database(), storage.log(), storage.changeSource(), new MemoryBroker());
    }

    /** The directory of an account's database. */
    Path directory(String account) {
        return account.equals(defaultAccount) ? dataDir : dataDir.resolve(ACCOUNTS_FOLDER).resolve(folder(account));
    }

    /** The folder name of a (non-default) account; distinct for distinct ids, even ignoring case. */
    static String folder(String account) {
        if (!AccountIds.isValid(account)) {
            throw new IllegalArgumentException("not an account id"); // ids are checked where they enter
        }
        if (account.chars().noneMatch(Character::isUpperCase)) {
            return account;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(account.getBytes(StandardCharsets.US_ASCII));
            return account + "." + HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
