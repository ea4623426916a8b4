package io.pulsebase.storage.sqlite;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work done on one JDBC connection inside a transaction that {@link SqliteStorage} opened and will commit.
 * The work must not commit, roll back or change connection settings itself.
 */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
