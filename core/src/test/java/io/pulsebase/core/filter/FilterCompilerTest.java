package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FilterCompilerTest {
    static final TableSchema USERS = new TableSchema("users", List.of(
            new Column("id", "INTEGER", Column.Affinity.INTEGER, true, true),
            new Column("room_id", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("status", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("age", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("score", "REAL", Column.Affinity.REAL, false, false),
            new Column("Name", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("odd name", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("true", "INTEGER", Column.Affinity.INTEGER, false, false)), "id");

    static final TableSchema PLAIN = new TableSchema("plain", List.of(
            new Column("a", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("b", "TEXT", Column.Affinity.TEXT, false, false)), "rowid");

    private static RowFilter compile(String text) {
        return FilterCompiler.compile(text, USERS);
    }

    private static Map<String, Object> row(Object... keyValues) {
        Map<String, Object> row = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            row.put((String) keyValues[i], keyValues[i + 1]);
        }
        return row;
    }

    private static boolean matches(String filter, Object... keyValues) {
        return compile(filter).matches(row(keyValues));
    }

    // ---- what it accepts ------------------------------------------------------------------------------------

    @Test
    void blankOrNullFilterMatchesEverything() {
        assertThat(FilterCompiler.compile(null, USERS)).isSameAs(RowFilter.ALL);
        assertThat(FilterCompiler.compile("  \n ", USERS)).isSameAs(RowFilter.ALL);
    }

    @Test
    void everyComparisonOperatorCompares() {
        assertThat(matches("age = 30", "age", 30L)).isTrue();
        assertThat(matches("age == 30", "age", 30L)).isTrue();
        assertThat(matches("age != 30", "age", 31L)).isTrue();
        assertThat(matches("age <> 30", "age", 30L)).isFalse();
        assertThat(matches("age < 30", "age", 29L)).isTrue();
        assertThat(matches("age <= 30", "age", 30L)).isTrue();
        assertThat(matches("age > 30", "age", 30L)).isFalse();
        assertThat(matches("age >= 30", "age", 30L)).isTrue();
    }

    @Test
    void literalOnTheLeftIsTurnedAround() {
        assertThat(compile("7 = room_id").canonical()).isEqualTo("\"room_id\" = 7");
        assertThat(compile("7 < age").canonical()).isEqualTo("\"age\" > 7");
        assertThat(matches("30 >= age", "age", 30L)).isTrue();
    }

    @Test
    void columnsCompareWithColumns() {
        assertThat(matches("age = room_id", "age", 7L, "room_id", 7.0)).isTrue();
        assertThat(matches("age < room_id", "age", 7L, "room_id", 8L)).isTrue();
        // A TEXT column compared with an INTEGER column is read as a number, as SQLite does.
        assertThat(matches("status = age", "status", "30", "age", 30L)).isTrue();
    }

    @Test
    void inAndNotInTestMembership() {
        assertThat(matches("room_id IN (1, 2, 3)", "room_id", 2L)).isTrue();
        assertThat(matches("room_id IN (1, 2, 3)", "room_id", 4L)).isFalse();
        assertThat(matches("room_id NOT IN (1, 2, 3)", "room_id", 4L)).isTrue();
        assertThat(matches("status in ('a', 'b')", "status", "b")).isTrue();
    }

    @Test
    void likeIsCaseInsensitiveForAsciiOnly() {
        assertThat(matches("Name LIKE 'al%'", "Name", "Alice")).isTrue();
        assertThat(matches("Name LIKE '_lice'", "Name", "ALICE")).isTrue();
        assertThat(matches("Name LIKE '%IC%'", "Name", "alice")).isTrue();
        assertThat(matches("Name LIKE 'ä%'", "Name", "Änne")).isFalse();
        assertThat(matches("Name LIKE 'ä%'", "Name", "änne")).isTrue();
        assertThat(matches("Name NOT LIKE 'a%'", "Name", "bob")).isTrue();
        assertThat(matches("Name LIKE 'a_c'", "Name", "a😀c")).as("_ is one character, not one UTF-16 unit").isTrue();
        assertThat(matches("score LIKE '2.5'", "score", 2.5)).isTrue();
        assertThat(matches("age LIKE '3%'", "age", 30L)).isTrue();
    }

    @Test
    void isNullAndIsNotNullNeverAreUnknown() {
        assertThat(matches("status IS NULL", "status", null)).isTrue();
        assertThat(matches("status IS NULL")).as("a missing column reads as NULL").isTrue();
        assertThat(matches("status IS NOT NULL", "status", "x")).isTrue();
        assertThat(matches("NOT status IS NULL", "status", null)).isFalse();
    }

    @Test
    void betweenIncludesBothBounds() {
        assertThat(matches("age BETWEEN 18 AND 30", "age", 18L)).isTrue();
        assertThat(matches("age BETWEEN 18 AND 30", "age", 30L)).isTrue();
        assertThat(matches("age BETWEEN 18 AND 30", "age", 31L)).isFalse();
        assertThat(matches("age NOT BETWEEN 18 AND 30", "age", 31L)).isTrue();
        assertThat(matches("age BETWEEN 18 AND 30 AND status = 'x'", "age", 20L, "status", "x")).isTrue();
        assertThat(matches("25 BETWEEN age AND room_id", "age", 20L, "room_id", 30L)).isTrue();
    }

    @Test
    void literalsOfEveryKind() {
        assertThat(matches("status = 'it''s'", "status", "it's")).isTrue();
        assertThat(matches("score = -1.5", "score", -1.5)).isTrue();
        assertThat(matches("score = 2.5e1", "score", 25.0)).isTrue();
        assertThat(matches("score = .5", "score", 0.5)).isTrue();
        assertThat(matches("age = - 3", "age", -3L)).isTrue();
        assertThat(FilterCompiler.compile("a = TRUE", PLAIN).matches(row("a", 1L))).isTrue();
        assertThat(FilterCompiler.compile("a = false", PLAIN).matches(row("a", 0L))).isTrue();
        assertThat(matches("age = NULL", "age", null)).isFalse();
        assertThat(matches("age = 9223372036854775807", "age", Long.MAX_VALUE)).isTrue();
        assertThat(matches("age = -9223372036854775808", "age", Long.MIN_VALUE)).isTrue();
    }

    @Test
    void keywordsAreCaseInsensitiveAndColumnsResolveToTheSchemaSpelling() {
        RowFilter f = compile("NAME like 'a%' and Status is not null OR \"ODD NAME\" = 'x'");
        assertThat(f.canonical()).isEqualTo("\"Name\" LIKE 'a%' AND \"status\" IS NOT NULL OR \"odd name\" = 'x'");
        assertThat(f.matches(row("odd name", "x"))).isTrue();
    }

    @Test
    void aColumnNamedTrueShadowsTheKeyword() {
        assertThat(compile("true = 1").canonical()).isEqualTo("\"true\" = 1");
        assertThat(FilterCompiler.compile("a = TRUE", PLAIN).canonical()).isEqualTo("\"a\" = 1");
    }

    @Test
    void aValueAloneIsACondition() {
        assertThat(matches("age", "age", 2L)).isTrue();
        assertThat(matches("age", "age", 0L)).isFalse();
        assertThat(matches("NOT age", "age", 0L)).isTrue();
        assertThat(matches("status", "status", "12abc")).isTrue();
        assertThat(matches("status", "status", "abc")).isFalse();
        assertThat(matches("(age) = 2", "age", 2L)).isTrue();
        assertThat(FilterCompiler.compile("TRUE", PLAIN).matches(row())).isTrue();
        assertThat(FilterCompiler.compile("FALSE OR a = 1", PLAIN).matches(row("a", 1L))).isTrue();
    }

    // ---- precedence and three-valued logic --------------------------------------------------------------------

    @Test
    void notBindsTighterThanAndWhichBindsTighterThanOr() {
        // a OR b AND c  is  a OR (b AND c)
        assertThat(matches("age = 1 OR age = 2 AND status = 'x'", "age", 1L, "status", "y")).isTrue();
        assertThat(matches("(age = 1 OR age = 2) AND status = 'x'", "age", 1L, "status", "y")).isFalse();
        // NOT a AND b  is  (NOT a) AND b
        assertThat(matches("NOT age = 1 AND status = 'x'", "age", 2L, "status", "x")).isTrue();
        assertThat(matches("NOT (age = 1 AND status = 'x')", "age", 2L, "status", "y")).isTrue();
        assertThat(matches("NOT age = 1 AND status = 'x'", "age", 2L, "status", "y")).isFalse();
        assertThat(compile("NOT a_or_b".replace("a_or_b", "age = 1 OR status = 'x'")).canonical())
                .isEqualTo("\"status\" = 'x' OR NOT (\"age\" = 1)");
    }

    @Test
    void nullComparisonsAreUnknownAndUnknownDoesNotMatch() {
        assertThat(matches("age = 1", "age", null)).isFalse();
        assertThat(matches("NOT age = 1", "age", null)).as("NOT unknown is unknown").isFalse();
        assertThat(matches("age != 1", "age", null)).isFalse();
        assertThat(matches("age = 1 OR status = 'x'", "age", null, "status", "x")).as("unknown OR true").isTrue();
        assertThat(matches("NOT (age = 1 AND status = 'x')", "age", null, "status", "y"))
                .as("unknown AND false is false").isTrue();
        assertThat(matches("NOT (age = 1 AND status = 'x')", "age", null, "status", "x"))
                .as("unknown AND true is unknown").isFalse();
    }

    @Test
    void inWithNullIsUnknownUnlessFound() {
        assertThat(matches("age IN (1, NULL)", "age", 1L)).isTrue();
        assertThat(matches("age IN (1, NULL)", "age", 2L)).isFalse();
        assertThat(matches("NOT age IN (1, NULL)", "age", 2L)).as("unknown, not false").isFalse();
        assertThat(matches("age NOT IN (1, NULL)", "age", 2L)).isFalse();
        assertThat(matches("age NOT IN (1, NULL)", "age", 1L)).isFalse();
        assertThat(matches("age NOT IN (1, 3)", "age", null)).isFalse();
    }

    @Test
    void numbersCompareExactlyAcrossIntegerAndReal() {
        assertThat(matches("age = 7.0", "age", 7L)).isTrue();
        assertThat(matches("score = 7", "score", 7.0)).isTrue();
        assertThat(matches("score > 7", "score", 7.5)).isTrue();
        assertThat(matches("age = 9007199254740993", "age", 9007199254740993L)).isTrue();
        assertThat(matches("score = 9007199254740993", "score", 9007199254740992.0))
                .as("no rounding of the integer to a double").isFalse();
    }

    @Test
    void typesOrderNullNumbersThenText() {
        Map<String, Object> textInIntegerColumn = row("age", "abc");
        assertThat(compile("age > 1000000").matches(textInIntegerColumn)).isTrue();
        assertThat(compile("age < 'b'").matches(textInIntegerColumn)).isTrue();
        assertThat(matches("status > 'Z'", "status", "a")).as("binary collation").isTrue();
        assertThat(matches("status > '\uFFFF'", "status", "😀")).as("code point order, as UTF-8 bytes").isTrue();
    }

    @Test
    void affinityConvertsLiteralsLikeSqlite() {
        assertThat(matches("age = '30'", "age", 30L)).isTrue();
        assertThat(matches("age = ' 30 '", "age", 30L)).isTrue();
        assertThat(matches("age = '30.0'", "age", 30L)).isTrue();
        assertThat(matches("age = '30x'", "age", 30L)).isFalse();
        assertThat(matches("age IN ('30', 'x')", "age", 30L)).isTrue();
        assertThat(matches("age BETWEEN '29' AND '31'", "age", 30L)).isTrue();
        assertThat(matches("status = 5", "status", "5")).isTrue();
        assertThat(matches("status = 5.0", "status", "5.0")).isTrue();
        assertThat(matches("status = 5.0", "status", "5")).isFalse();
        assertThat(matches("status > 4", "status", "30")).as("compared as text: '30' < '4'").isFalse();
        assertThat(compile("age = '30'").canonical()).isEqualTo("\"age\" = 30");
        assertThat(compile("status = 5").canonical()).isEqualTo("\"status\" = '5'");
    }

    @Test
    void rowValuesOfOtherJavaTypesAreNormalized() {
        assertThat(matches("age = 30", "age", 30)).isTrue();
        assertThat(matches("age = 1", "age", true)).isTrue();
        assertThat(matches("score = 0.5", "score", 0.5f)).isTrue();
        assertThat(matches("score IS NULL", "score", Double.NaN)).isTrue();
    }

    // ---- canonical text and index key -----------------------------------------------------------------------

    @Test
    void canonicalTextIgnoresSpellingSpacingParenthesesAndTermOrder() {
        String canonical = compile("room_id=1 and status='x'").canonical();
        assertThat(compile("(room_id = 1) AND (status = 'x')").canonical()).isEqualTo(canonical);
        assertThat(compile("STATUS = 'x' AND 1 = ROOM_ID").canonical()).isEqualTo(canonical);
        assertThat(compile("(status = 'x' AND (room_id == 1))").canonical()).isEqualTo(canonical);
        assertThat(canonical).isEqualTo("\"room_id\" = 1 AND \"status\" = 'x'");
        assertThat(compile("room_id <> 1").canonical()).isEqualTo("\"room_id\" != 1");
        assertThat(compile("room_id = 1 OR status = 'x'").canonical())
                .isNotEqualTo(canonical)
                .isEqualTo(compile("status = 'x' or room_id = 1").canonical());
    }

    @Test
    void canonicalTextCompilesToItself() {
        for (String filter : List.of("a = 1", "NOT (a > 2 OR b LIKE 'x%')", "a NOT IN (1, 2.5, 'q', NULL)",
                "a BETWEEN -1 AND 1e3 AND b IS NOT NULL", "a", "1 = 1", "b = 'it''s'")) {
            String canonical = FilterCompiler.compile(filter, PLAIN).canonical();
            assertThat(FilterCompiler.compile(canonical, PLAIN).canonical()).as(filter).isEqualTo(canonical);
        }
    }

    @Test
    void indexKeyIsTheFirstTopLevelEquality() {
        assertThat(compile("room_id = 7").indexKey()).contains(new EqualityKey("room_id", Set.of(7L)));
        assertThat(compile("status = 'on' AND room_id = 7").indexKey()).contains(new EqualityKey("status", Set.of("on")));
        assertThat(compile("age > 3 AND 7 = ROOM_ID").indexKey()).contains(new EqualityKey("room_id", Set.of(7L)));
        assertThat(compile("room_id IN (1, 2) AND status = 'on'").indexKey())
                .as("a plain = is preferred").contains(new EqualityKey("status", Set.of("on")));
        assertThat(compile("room_id IN (1, 2.0, '3')").indexKey()).contains(new EqualityKey("room_id", Set.of(1L, 2L, 3L)));
    }

    @Test
    void indexKeyHonoursAffinity() {
        assertThat(compile("age = '30'").indexKey()).contains(new EqualityKey("age", Set.of(30L)));
        assertThat(compile("score = 2").indexKey()).contains(new EqualityKey("score", Set.of(2L)));
        assertThat(compile("status = 7").indexKey()).contains(new EqualityKey("status", Set.of("7")));
    }

    @Test
    void noIndexKeyWithoutATopLevelEquality() {
        assertThat(compile("room_id = 7 OR status = 'x'").indexKey()).isEmpty();
        assertThat(compile("NOT room_id = 7").indexKey()).isEmpty();
        assertThat(compile("room_id IN (1, NULL)").indexKey()).isEmpty();
        assertThat(compile("room_id NOT IN (1)").indexKey()).isEmpty();
        assertThat(compile("room_id = NULL").indexKey()).isEmpty();
        assertThat(compile("room_id = age").indexKey()).isEmpty();
        assertThat(compile("score > 3").indexKey()).isEqualTo(Optional.empty());
        assertThat(RowFilter.ALL.indexKey()).isEmpty();
    }

    @Test
    void parseExposesTheNormalizedTree() {
        FilterExpr expr = FilterCompiler.parse("'30' = age AND status LIKE 5", USERS);
        assertThat(expr).isEqualTo(new And(List.of(
                new Compare(new ColumnRef("age", Column.Affinity.INTEGER), CompareOp.EQ, new Literal(30L)),
                new Like(new ColumnRef("status", Column.Affinity.TEXT), new Literal("5"), false))));
    }

    // ---- errors -----------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            colour = 'red'                      | unknown column 'colour' at position 1
            status = 'x' AND colour = 1         | unknown column 'colour' at position 18
            "no such" = 1                       | unknown column "no such" at position 1
            room_id =                           | expected a value after '=' at position 10, but the filter ended
            room_id = = 1                       | expected a value after '=' at position 11, found '='
            room_id = AND                       | expected a value after '=' at position 11, found 'AND'
            status = 'abc                       | unterminated string starting at position 10
            "odd name = 1                       | unterminated quoted column name starting at position 1
            room_id = 1 status = 2              | expected AND, OR or the end of the filter at position 13, found 'status'
            room_id = 1)                        | expected AND, OR or the end of the filter at position 12, found ')'
            (room_id = 1                        | unclosed '(' at position 1: expected ')' at position 13, but the filter ended
            (room_id = 1 status = 2             | unclosed '(' at position 1: expected ')' at position 14, found 'status'
            room_id IN ()                       | IN needs at least one value, at position 13
            room_id IN 1, 2                     | expected '(' after IN at position 12, found '1'
            room_id IN (1, 2                    | expected ',' or ')' in the IN list at position 17, but the filter ended
            room_id IN (1, age)                 | IN takes a list of literal values; column 'age' at position 16 is not one
            status LIKE Name                    | LIKE takes a literal pattern; column 'Name' at position 13 is not one
            status LIKE 'a' ESCAPE '!'          | ESCAPE is not supported, at position 17
            status GLOB 'a*'                    | GLOB is not supported, at position 8
            status IS 'x'                       | expected NULL after IS (only IS NULL and IS NOT NULL are supported) at position 11, found 'x'
            status NOT = 'x'                    | expected IN, LIKE or BETWEEN after NOT at position 12, found '='
            age BETWEEN 1 OR 2                  | expected AND after BETWEEN's lower bound at position 15, found 'OR'
            age = 1 AND                         | expected a condition after AND at position 12, but the filter ended
            OR age = 1                          | expected a condition at position 1, found 'OR'
            age = -'1'                          | expected a number after '-' at position 8, found '1'
            age = 12abc                         | invalid number '12abc' at position 7
            age = 1e                            | invalid number '1e' at position 7
            age = 1.2.3                         | invalid number '1.2.3' at position 7
            age ! 1                             | unexpected character '!' at position 5 (did you mean '!='?)
            age = 1; DROP TABLE users           | unexpected character ';' at position 8
            age = #                             | unexpected character '#' at position 7
            """)
    void errorsSayWhatAndWhere(String filter, String message) {
        assertThatThrownBy(() -> compile(filter))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FILTER))
                .hasMessage(message);
    }

    @Test
    void tooLongFiltersAreRefused() {
        String filter = "age = 1" + " OR age = 1".repeat(400);
        assertThat(filter.length()).isGreaterThan(FilterCompiler.MAX_LENGTH);
        assertThatThrownBy(() -> compile(filter))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("filter is " + filter.length() + " characters long; the limit is 4096");
    }

    @Test
    void deepNestingIsRefusedWithoutOverflowingTheStack() {
        assertThat(compile("(".repeat(64) + "age = 1" + ")".repeat(64)).matches(row("age", 1L))).isTrue();
        assertThatThrownBy(() -> compile("(".repeat(65) + "age = 1" + ")".repeat(65)))
                .isInstanceOf(ProtocolException.class)
                .hasMessage("filter nests deeper than 64 levels at position 65");
        assertThatThrownBy(() -> compile("NOT ".repeat(1000) + "age = 1"))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("filter nests deeper than 64 levels");
        assertThatThrownBy(() -> compile("(".repeat(4000)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("filter nests deeper than 64 levels");
    }

    @Test
    void longFlatChainsAreFine() {
        String filter = "age = 0" + " OR age = 1".repeat(370);
        assertThat(compile(filter).matches(row("age", 1L))).isTrue();
    }
}
