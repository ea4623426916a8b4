package io.pulsebase.core.filter;

/**
 * A {@code LIKE} pattern compiled once: SQLite's default LIKE, with {@code %} for any run of characters,
 * {@code _} for exactly one character (a code point, as SQLite counts UTF-8 characters), ASCII letters
 * matching either case and every other character only itself. There is no escape character.
 *
 * <p>Matching is the usual two-pointer wildcard walk, backtracking only to the last {@code %}: linear in
 * practice, and never a regex or an allocation per row.
 */
final class LikePattern {
    private static final int ANY = -1;
    private static final int ONE = -2;

    private final int[] pattern;

    LikePattern(String text) {
        int[] cps = text.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int c = cps[i];
            cps[i] = c == '%' ? ANY : c == '_' ? ONE : fold(c);
        }
        this.pattern = cps;
    }

    boolean matches(String s) {
        int[] pat = pattern;
        int m = pat.length;
        int n = s.length();
        int p = 0;
        int i = 0;
        int starP = -1;
        int starI = 0;
        while (i < n) {
            int c = s.codePointAt(i);
            if (p < m && (pat[p] == ONE || pat[p] == fold(c))) {
                p++;
                i += Character.charCount(c);
            } else if (p < m && pat[p] == ANY) {
                starP = p++;
                starI = i;
            } else if (starP >= 0) {
                p = starP + 1;
                starI += Character.charCount(s.codePointAt(starI));
                i = starI;
            } else {
                return false;
            }
        }
        while (p < m && pat[p] == ANY) {
            p++;
        }
        return p == m;
    }

    private static int fold(int c) {
        return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
    }
}
