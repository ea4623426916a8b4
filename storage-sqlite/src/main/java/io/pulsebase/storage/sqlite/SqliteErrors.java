package io.pulsebase.storage.sqlite;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The one place that sorts SQLite failures into client-visible error codes and unexpected ones. SQLite's own
 * message (for example {@code near "SELEC": syntax error} or {@code UNIQUE constraint failed: users.email})
 * is safe and useful to show; the driver's prefix ({@code [SQLITE_ERROR] SQL error or missing database (...)})
 * is stripped.
 */
final class SqliteErrors {
    private static final int SQLITE_ERROR = 1;
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;
    private static final int SQLITE_READONLY = 8;
    private static final int SQLITE_TOOBIG = 18;
    private static final int SQLITE_CONSTRAINT = 19;
    private static final int SQLITE_MISMATCH = 20;
    private static final int SQLITE_AUTH = 23;
    private static final int SQLITE_RANGE = 25;

    private SqliteErrors() {
    }

    /** The primary result code (the low byte of an extended code), or -1 for a non-SQLite exception. */
    static int primaryCode(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            return sqlite.getResultCode().code & 0xff;
        }
        return -1;
    }

    static boolean isReadOnly(SQLException e) {
        return primaryCode(e) == SQLITE_READONLY;
    }

    static boolean isBusy(SQLException e) {
        int code = primaryCode(e);
        return code == SQLITE_BUSY || code == SQLITE_LOCKED;
    }

    /**
     * A failure of a client's request as the exception to throw.
     *
     * @param userSql whether the client wrote the SQL ({@code /v1/sql}): its mistakes are {@code sql_error};
     *                in CRUD we wrote the SQL, so what SQLite refuses is a {@code bad_request}
     */
    static RuntimeException translate(SQLException e, boolean userSql, String doing) {
        String text = sqliteText(e);
        return switch (primaryCode(e)) {
            case SQLITE_CONSTRAINT, SQLITE_MISMATCH -> new ProtocolException(ErrorCode.CONSTRAINT_VIOLATION, text);
            case SQLITE_BUSY, SQLITE_LOCKED -> new ProtocolException(ErrorCode.UNAVAILABLE,
                    "the database is locked by another writer; retry");
            case SQLITE_TOOBIG -> new ProtocolException(ErrorCode.TOO_LARGE, text);
            case SQLITE_ERROR, SQLITE_READONLY, SQLITE_AUTH, SQLITE_RANGE ->
                    new ProtocolException(userSql ? ErrorCode.SQL_ERROR : ErrorCode.BAD_REQUEST, text);
            default -> unexpected(e, doing);
        };
    }

    /** A failure nobody asked for (I/O, corruption, misuse): {@code internal} for a client. */
    static RuntimeException unexpected(SQLException e, String doing) {
        if (isBusy(e)) {
            return new ProtocolException(ErrorCode.UNAVAILABLE, "the database is locked by another writer; retry");
        }
        return new SqliteStorageException(doing + " failed: " + e.getMessage(), e);
    }

    /** SQLite's message without the JDBC driver's prefix. */
    static String sqliteText(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SQLiteException sqlite) {
            SQLiteErrorCode code = sqlite.getResultCode();
            String prefix = "[" + code.name() + "] " + code.message + " (";
            if (message.startsWith(prefix) && message.endsWith(")")) {
                return message.substring(prefix.length(), message.length() - 1);
            }
        }
        int bracket = message.startsWith("[") ? message.indexOf("] ") : -1;
        return bracket >= 0 ? message.substring(bracket + 2) : message;
    }
}
