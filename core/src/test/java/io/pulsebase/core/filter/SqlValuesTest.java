package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.store.Column;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SqlValuesTest {

    @Test
    void indexKeysOfSqlEqualValuesAreEqual() {
        assertThat(SqlValues.indexKey(7)).isEqualTo(7L);
        assertThat(SqlValues.indexKey(7.0)).isEqualTo(7L);
        assertThat(SqlValues.indexKey(-0.0)).isEqualTo(0L);
        assertThat(SqlValues.indexKey(true)).isEqualTo(1L);
        assertThat(SqlValues.indexKey(false)).isEqualTo(0L);
        assertThat(SqlValues.indexKey((short) 3)).isEqualTo(3L);
        assertThat(SqlValues.indexKey(new BigDecimal("12.000"))).isEqualTo(12L);
        assertThat(SqlValues.indexKey(BigInteger.TEN)).isEqualTo(10L);
        assertThat(SqlValues.indexKey(7.5)).isEqualTo(7.5);
        assertThat(SqlValues.indexKey(1e20)).as("beyond long range stays a double").isEqualTo(1e20);
        assertThat(SqlValues.indexKey("7")).as("text stays text").isEqualTo("7");
        assertThat(SqlValues.indexKey(null)).isNull();
        assertThat(SqlValues.indexKey(Double.NaN)).isNull();
        assertThat(SqlValues.indexKey(new byte[] {(byte) 0xAB, 1})).isEqualTo("AB01");
    }

    @Test
    void indexKeysAreEqualExactlyWhenValuesCompareEqual() {
        Object[] values = {0L, 1L, -1L, 7L, 1.0, 7.0, 7.5, -0.0, 0.0, 1e20, 9.223372036854775807E18, Long.MAX_VALUE,
            Long.MIN_VALUE, -9.223372036854775808E18, 9007199254740993L, 9007199254740992.0, "7", "a", ""};
        for (Object a : values) {
            for (Object b : values) {
                boolean equal = SqlValues.compare(a, b) == 0;
                assertThat(SqlValues.equal(a, b)).as("%s = %s", a, b).isEqualTo(equal);
                assertThat(SqlValues.indexKey(a).equals(SqlValues.indexKey(b))).as("%s vs %s", a, b).isEqualTo(equal);
            }
        }
    }

    @Test
    void comparisonOrdersNumbersBeforeText() {
        assertThat(SqlValues.compare(1L, "0")).isNegative();
        assertThat(SqlValues.compare(1e300, "")).isNegative();
        assertThat(SqlValues.compare("b", "a")).isPositive();
        assertThat(SqlValues.compare(3L, 2.5)).isPositive();
        assertThat(SqlValues.compare(Long.MAX_VALUE, 9.223372036854775807E18)).as("2^63 as double is larger").isNegative();
        assertThat(SqlValues.compareText("\uFFFF", "😀")).as("code point order").isNegative();
        assertThat(SqlValues.compareText("ab", "abc")).isNegative();
    }

    @Test
    void affinityConvertsOnlyWhatSqliteConverts() {
        assertThat(SqlValues.applyAffinity("30", Column.Affinity.INTEGER)).isEqualTo(30L);
        assertThat(SqlValues.applyAffinity(" 3.5 ", Column.Affinity.REAL)).isEqualTo(3.5);
        assertThat(SqlValues.applyAffinity("99999999999999999999", Column.Affinity.NUMERIC)).isEqualTo(1e20);
        assertThat(SqlValues.applyAffinity("0x10", Column.Affinity.INTEGER)).isEqualTo("0x10");
        assertThat(SqlValues.applyAffinity("30", Column.Affinity.BLOB)).isEqualTo("30");
        assertThat(SqlValues.applyAffinity(30L, Column.Affinity.TEXT)).isEqualTo("30");
        assertThat(SqlValues.applyAffinity(0.5, Column.Affinity.TEXT)).isEqualTo("0.5");
        assertThat(SqlValues.applyAffinity(null, Column.Affinity.TEXT)).isNull();
    }

    @Test
    void textBecomesANumberExactlyWhenSqliteStoresItAsOne() throws SQLException {
        List<String> texts = new ArrayList<>(List.of("30", " 30 ", "\t30\n", "+30", "-0", "00030", "30.", ".5", "-.5",
                "1e2", "1E+2", "1e-2", "5e", ".", "-", "+", "", " ", "1_000", "0x10", "inf", "NaN", "Infinity", "12 3",
                "1e2.5", "e5", "1,5", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                "123456789012345678901234567890", "1e400", "\u000b7", "7\f"));
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "0123456789.eE+- x";
        for (int i = 0; i < 3000; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(1, 8);
            for (int k = 0; k < n; k++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            texts.add(s.toString());
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite::memory:")) {
            c.createStatement().execute("CREATE TABLE t(x NUMERIC)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?)");
                    PreparedStatement read = c.prepareStatement("SELECT typeof(x), x FROM t WHERE rowid = last_insert_rowid()")) {
                for (String text : texts) {
                    insert.setString(1, text);
                    insert.executeUpdate();
                    try (ResultSet rs = read.executeQuery()) {
                        rs.next();
                        boolean sqliteNumber = !rs.getString(1).equals("text");
                        Object ours = SqlValues.toNumber(text);
                        assertThat(ours instanceof Number).as("[%s]", text).isEqualTo(sqliteNumber);
                        if (sqliteNumber) {
                            Object stored = SqlValues.normalize(rs.getObject(2));
                            assertThat(SqlValues.compare(ours, stored)).as("[%s] = %s", text, stored).isZero();
                        }
                    }
                }
            }
        }
    }

    @Test
    void truthOfTextIsItsLeadingNumber() {
        assertThat(SqlValues.truth("12abc")).isEqualTo(Truth.TRUE);
        assertThat(SqlValues.truth(" -0.5x")).isEqualTo(Truth.TRUE);
        assertThat(SqlValues.truth("abc")).isEqualTo(Truth.FALSE);
        assertThat(SqlValues.truth("0.0")).isEqualTo(Truth.FALSE);
        assertThat(SqlValues.truth("1e")).isEqualTo(Truth.TRUE);
        assertThat(SqlValues.truth(".")).isEqualTo(Truth.FALSE);
        assertThat(SqlValues.truth(null)).isEqualTo(Truth.UNKNOWN);
    }
}
