package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever a client sends, compiling a filter either succeeds or throws {@code invalid_filter}; nothing else
 * escapes (no NumberFormatException, no StackOverflowError, no IndexOutOfBounds), and what compiles evaluates
 * on any row without throwing.
 */
class FilterErrorProperties {
    private static final String SQLISH = "()'\"=<>!,.-+ %_*;#\\\n\t0123456789eEaAnNdDoOrRtTlLiIkKsSuUbBwWxyz";

    @Property(tries = 500)
    void arbitraryTextCompilesOrIsAnInvalidFilter(@ForAll String text) {
        assertOnlyInvalidFilterEscapes(text);
    }

    @Property(tries = 1000)
    void sqlLookingJunkCompilesOrIsAnInvalidFilter(@ForAll("sqlish") String text) {
        assertOnlyInvalidFilterEscapes(text);
    }

    @Property(tries = 1000)
    void mutatedValidFiltersCompileOrAreInvalidFilters(@ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder text = new StringBuilder(new RandomFilters(seed).filter());
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && !text.isEmpty(); m++) {
            int at = random.nextInt(text.length());
            switch (random.nextInt(5)) {
                case 0 -> text.deleteCharAt(at);
                case 1 -> text.insert(at, SQLISH.charAt(random.nextInt(SQLISH.length())));
                case 2 -> text.setLength(at);
                case 3 -> text.insert(at, text.substring(at, Math.min(text.length(), at + random.nextInt(1, 12))));
                default -> text.setCharAt(at, SQLISH.charAt(random.nextInt(SQLISH.length())));
            }
        }
        assertOnlyInvalidFilterEscapes(text.toString());
    }

    @Provide
    Arbitrary<String> sqlish() {
        Arbitrary<String> keywords = Arbitraries.of(" AND ", " OR ", " NOT ", " IN ", " LIKE ", " IS ", " NULL ",
                " BETWEEN ", " TRUE ", "i", "s", "\"r\"", "'x'", "''", "1e", "-", "9223372036854775808", "((", "))");
        Arbitrary<String> chars = Arbitraries.strings().withChars(SQLISH).ofMaxLength(3);
        return Arbitraries.oneOf(keywords, chars).list().ofMaxSize(30).map(parts -> String.join("", parts));
    }

    private static void assertOnlyInvalidFilterEscapes(String text) {
        RowFilter filter;
        try {
            filter = FilterCompiler.compile(text, RandomFilters.SCHEMA);
        } catch (ProtocolException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_FILTER);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        filter.matches(Map.of("i", 1L, "r", 2.5, "s", "abc", "n", "x", "u", 3L));
        filter.matches(Map.of());
        assertThat(filter.canonical()).isNotNull();
    }
}
