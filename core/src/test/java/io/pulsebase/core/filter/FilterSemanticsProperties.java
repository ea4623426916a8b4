package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The compiled filter selects exactly the rows SQLite selects with the same WHERE clause, and so does the
 * filter's canonical text run as SQL. Rows are inserted into SQLite and read back, so the Java rows hold
 * exactly what SQLite stored.
 */
class FilterSemanticsProperties {
    private static Connection sqlite;

    @BeforeContainer
    static void open() throws SQLException {
        sqlite = DriverManager.getConnection("jdbc:sqlite::memory:");
    }

    @AfterContainer
    static void close() throws SQLException {
        sqlite.close();
    }

    @Property(tries = 200)
    void compiledFilterSelectsTheRowsSqliteSelects(@ForAll long seed) throws SQLException {
        RandomFilters random = new RandomFilters(seed);
        List<Map<String, Object>> rows = storeRows(random, 12);
        for (int f = 0; f < 10; f++) {
            String filter = random.filter();
            RowFilter compiled = FilterCompiler.compile(filter, RandomFilters.SCHEMA);
            TreeSet<Long> expected = select(filter);
            TreeSet<Long> actual = new TreeSet<>();
            for (Map<String, Object> row : rows) {
                if (compiled.matches(row)) {
                    actual.add(((Number) row.get("id")).longValue());
                }
            }
            assertThat(actual)
                    .as("filter %s%ncanonical %s%nrows %s", filter, compiled.canonical(), rows)
                    .isEqualTo(expected);
            assertThat(select(compiled.canonical()))
                    .as("canonical %s of filter %s%nrows %s", compiled.canonical(), filter, rows)
                    .isEqualTo(expected);
            RowFilter recompiled = FilterCompiler.compile(compiled.canonical(), RandomFilters.SCHEMA);
            assertThat(recompiled.canonical()).as("canonical of the canonical of %s", filter).isEqualTo(compiled.canonical());
        }
    }

    /** Inserts random rows into a fresh table and returns them as SQLite stored them. */
    static List<Map<String, Object>> storeRows(RandomFilters random, int count) throws SQLException {
        try (Statement s = sqlite.createStatement()) {
            s.execute("DROP TABLE IF EXISTS t");
            s.execute(RandomFilters.CREATE_TABLE);
        }
        try (PreparedStatement insert = sqlite.prepareStatement("INSERT INTO t(id, i, r, s, n, u) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (long id = 1; id <= count; id++) {
                int p = 1;
                for (Object v : random.rowToInsert(id).values()) {
                    insert.setObject(p++, v);
                }
                insert.executeUpdate();
            }
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = sqlite.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM t ORDER BY id")) {
            ResultSetMetaData meta = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new HashMap<>();
                for (int c = 1; c <= meta.getColumnCount(); c++) {
                    row.put(meta.getColumnName(c), SqlValues.normalize(rs.getObject(c)));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    static TreeSet<Long> select(String where) throws SQLException {
        TreeSet<Long> ids = new TreeSet<>();
        try (Statement s = sqlite.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM t WHERE " + where)) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }
}
