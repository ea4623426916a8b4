package io.pulsebase.storage.sqlite;

/** An unexpected failure of the SQLite store (I/O, corruption, a bug): the client sees {@code internal}. */
public final class SqliteStorageException extends RuntimeException {
    public SqliteStorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
