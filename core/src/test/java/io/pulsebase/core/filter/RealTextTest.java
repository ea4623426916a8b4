package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RealTextTest {

    @Test
    void printsLikeSqlite() {
        assertThat(RealText.of(0.1)).isEqualTo("0.1");
        assertThat(RealText.of(5.0)).isEqualTo("5.0");
        assertThat(RealText.of(-2.5)).isEqualTo("-2.5");
        assertThat(RealText.of(-0.0)).isEqualTo("0.0");
        assertThat(RealText.of(1.0 / 3)).isEqualTo("0.33333333333333332");
        assertThat(RealText.of(1e16)).isEqualTo("10000000000000000.0");
        assertThat(RealText.of(1e20)).isEqualTo("1.0e+20");
        assertThat(RealText.of(1.234e-5)).isEqualTo("1.234e-05");
        assertThat(RealText.of(Double.MIN_VALUE)).isEqualTo("4.9406564584124654e-324");
        assertThat(RealText.of(Double.POSITIVE_INFINITY)).isEqualTo("Inf");
    }

    @Test
    void agreesWithSqliteOnManyDoubles() throws SQLException {
        SplittableRandom random = new SplittableRandom(20240611);
        List<Double> values = new ArrayList<>();
        for (int i = 0; i < 8000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (Double.isFinite(d)) {
                values.add(d);
            }
            values.add(random.nextInt(-100000, 100000) / Math.pow(10, random.nextInt(0, 8)));
            values.add((double) random.nextLong(-(1L << 60), 1L << 60));
            values.add(random.nextDouble() * Math.pow(10, random.nextInt(-30, 30)));
        }
        for (int e = -325; e <= 308; e++) {
            values.add(Double.parseDouble("1e" + e));
            values.add(Double.parseDouble("9.999999999999999e" + e));
        }
        values.add(Double.MAX_VALUE);
        values.add(Double.MIN_NORMAL);

        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:");
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE v(i INTEGER PRIMARY KEY, x REAL)");
            c.setAutoCommit(false);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO v VALUES (?, ?)")) {
                for (int i = 0; i < values.size(); i++) {
                    insert.setInt(1, i);
                    insert.setDouble(2, values.get(i));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            c.commit();
            List<String> mismatches = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT i, x, CAST(x AS TEXT) FROM v ORDER BY i")) {
                while (rs.next()) {
                    double x = rs.getDouble(2);
                    String expected = rs.getString(3);
                    String actual = RealText.of(x);
                    if (!expected.equals(actual)) {
                        mismatches.add(Double.toString(x) + ": sqlite " + expected + ", ours " + actual);
                    }
                }
            }
            assertThat(mismatches).isEmpty();
        }
    }
}
