package io.pulsebase.storage.sqlite;

/** Quoting of names and text for SQL we generate; user values always travel as bound parameters. */
final class SqlQuoting {
    private SqlQuoting() {
    }

    /** {@code name} as a double-quoted SQL identifier. */
    static String identifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** {@code text} as a single-quoted SQL string literal. */
    static String literal(String text) {
        return '\'' + text.replace("'", "''") + '\'';
    }
}
