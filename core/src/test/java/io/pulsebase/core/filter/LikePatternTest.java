package io.pulsebase.core.filter;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LikePatternTest {

    @ParameterizedTest(name = "''{1}'' LIKE ''{0}'' is {2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            a%      | abc     | true
            a%      | bac     | false
            %c      | abc     | true
            %b%     | abc     | true
            %b%     | ac      | false
            a_c     | abc     | true
            a_c     | ac      | false
            ___     | abc     | true
            ___     | ab      | false
            %a%b    | xaxaxb  | true
            %a%b    | xaxaxbx | false
            a%%b    | ab      | true
            %       | ``      | true
            _       | ``      | false
            ``      | ``      | true
            ``      | a       | false
            ABC     | abc     | true
            abc     | ABC     | true
            ä       | Ä       | false
            a.c     | abc     | false
            a*c     | abc     | false
            %😀     | x😀     | true
            _       | 😀      | true
            %a%a%a% | aaa     | true
            %a%a%a% | aa      | false
            """)
    void matchesLikeSqlite(String pattern, String text, boolean expected) {
        assertThat(new LikePattern(pattern).matches(text)).isEqualTo(expected);
    }
}
