package io.pulsebase.core.filter;

/**
 * SQL's three truth values as small ints ordered FALSE &lt; UNKNOWN &lt; TRUE, so that AND is the minimum, OR
 * the maximum and NOT the mirror image.
 */
final class Truth {
    static final int FALSE = 0;
    static final int UNKNOWN = 1;
    static final int TRUE = 2;

    private Truth() {
    }

    static int of(boolean b) {
        return b ? TRUE : FALSE;
    }

    static int not(int t) {
        return TRUE - t;
    }
}
