package io.pulsebase.testkit.contract;

/**
 * One row write of a contract test, on a table of the contract shape: an integer primary key {@code id} and a
 * text column {@code v}. An engine fixture turns a list of them into one transaction.
 */
public sealed interface RowWrite {

    /** The table written. */
    String table();

    static RowWrite insert(String table, long id, String value) {
        return new Insert(table, id, value);
    }

    static RowWrite update(String table, long id, String value) {
        return new Update(table, id, value);
    }

    static RowWrite delete(String table, long id) {
        return new Delete(table, id);
    }

    /** {@code INSERT INTO table (id, v) VALUES (id, value)}. */
    record Insert(String table, long id, String value) implements RowWrite {
    }

    /** {@code UPDATE table SET v = value WHERE id = id}; the row exists. */
    record Update(String table, long id, String value) implements RowWrite {
    }

    /** {@code DELETE FROM table WHERE id = id}; the row exists. */
    record Delete(String table, long id) implements RowWrite {
    }
}
