package io.pulsebase.core.filter;

/**
 * The text SQLite 3.52+ gives a REAL ({@code CAST(r AS TEXT)}, the left side of {@code LIKE}, a REAL compared
 * under TEXT affinity): 17 significant digits, shortened to 15 or fewer when a shorter form reads back as
 * the same double, always with a decimal point ({@code 5.0}), exponent form outside 1e-4 .. 1e17
 * ({@code 1.0e+20}), {@code Inf} / {@code -Inf} for infinities.
 *
 * <p>Why not {@link Double#toString}: SQLite does not print the shortest round-trip form (1/3 prints as
 * {@code 0.33333333333333332}, 17 digits rounded twice), and a filter such as {@code score LIKE '0.3%'} must
 * see the same text SQLite sees. This follows SQLite's own integer arithmetic ({@code sqlite3FpDecode},
 * {@code sqlite3Fp2Convert10}, {@code sqlite3Fp10Convert2} in {@code util.c}, public domain) step by step;
 * {@code RealTextTest} checks it against the bundled SQLite on many random doubles.
 */
final class RealText {

    /** 10^0 .. 10^26, each shifted left until its top bit is set (exact). */
    private static final long[] BASE = {
        0x8000000000000000L, 0xa000000000000000L, 0xc800000000000000L, 0xfa00000000000000L,
        0x9c40000000000000L, 0xc350000000000000L, 0xf424000000000000L, 0x9896800000000000L,
        0xbebc200000000000L, 0xee6b280000000000L, 0x9502f90000000000L, 0xba43b74000000000L,
        0xe8d4a51000000000L, 0x9184e72a00000000L, 0xb5e620f480000000L, 0xe35fa931a0000000L,
        0x8e1bc9bf04000000L, 0xb1a2bc2ec5000000L, 0xde0b6b3a76400000L, 0x8ac7230489e80000L,
        0xad78ebc5ac620000L, 0xd8d726b7177a8000L, 0x878678326eac9000L, 0xa968163f0a57b400L,
        0xd3c21bcecceda100L, 0x84595161401484a0L, 0xa56fa5b99019a5c8L,
    };

    /** 10^(27 g) for g = -13 .. 12, normalized, high 64 bits (index 13 holds 10^-1 instead of 10^0). */
    private static final long[] SCALE = {
        0x8049a4ac0c5811aeL, 0xcf42894a5dce35eaL, 0xa76c582338ed2621L, 0x873e4f75e2224e68L,
        0xda7f5bf590966848L, 0xb080392cc4349decL, 0x8e938662882af53eL, 0xe65829b3046b0afaL,
        0xba121a4650e4ddebL, 0x964e858c91ba2655L, 0xf2d56790ab41c2a2L, 0xc428d05aa4751e4cL,
        0x9e74d1b791e07e48L, 0xccccccccccccccccL, 0xcecb8f27f4200f3aL, 0xa70c3c40a64e6c51L,
        0x86f0ac99b4e8dafdL, 0xda01ee641a708de9L, 0xb01ae745b101e9e4L, 0x8e41ade9fbebc27dL,
        0xe5d3ef282a242e81L, 0xb9a74a0637ce2ee1L, 0x95f83d0a1fb69cd9L, 0xf24a01a73cf2dccfL,
        0xc3b8358109e84f07L, 0x9e19db92b4e31ba9L,
    };

    /** The next 32 bits of each {@link #SCALE} entry. */
    private static final long[] SCALE_LOW = {
        0x205b896dL, 0x52064cadL, 0xaf2af2b8L, 0x5a7744a7L, 0xaf39a475L, 0xbd8d794eL, 0x547eb47bL,
        0x0cb4a5a3L, 0x92f34d62L, 0x3a6a07f9L, 0xfae27299L, 0xaa97e14cL, 0x775ea265L, 0xccccccccL,
        0x00000000L, 0x999090b6L, 0x69a028bbL, 0xe80e6f48L, 0x5ec05dd0L, 0x14588f14L, 0x8f1668c9L,
        0x6d953e2cL, 0x4abdaf10L, 0xbc633b39L, 0x0a862f81L, 0x6c07a2c2L,
    };

    private RealText() {
    }

    static String of(double value) {
        if (value == 0.0) {
            return "0.0";
        }
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Inf" : "-Inf";
        }
        double r = Math.abs(value);
        long bits = Double.doubleToRawLongBits(r);
        int e = (int) (bits >>> 52) & 0x7ff;
        long m = bits & 0x000f_ffff_ffff_ffffL;
        if (e == 0) {
            int shift = Long.numberOfLeadingZeros(m);
            m <<= shift;
            e = -1074 - shift;
        } else {
            m = (m << 11) | (1L << 63);
            e -= 1086;
        }

        // 18 significant decimal digits (sqlite3Fp2Convert10 with n = 18).
        int p = 17 - pow2to10(e + 63);
        long h = Math.unsignedMultiplyHigh(m, powerOfTen(p)[0]);
        h >>>= -(e + pow10to2(p) + 2);
        long decimal = (h + ((h << 1) & 2)) >>> 1;
        int exp = -p;

        StringBuilder digits = new StringBuilder(24).append(decimal);
        int n = digits.length();
        int dp = n + exp;
        int round = 17;
        if (n > round) {
            if (digits.charAt(15) == '9' && digits.charAt(14) == '9') {
                int jj = 14;
                while (jj > 0 && digits.charAt(jj - 1) == '9') {
                    jj--;
                }
                long v2 = jj == 0 ? 1 : Long.parseLong(digits, 0, jj, 10) + 1;
                if (r == decimalToBinary(v2, exp + n - jj)) {
                    round = jj + 1;
                }
            } else if (dp >= n || (digits.charAt(15) == '0' && digits.charAt(14) == '0' && digits.charAt(13) == '0')) {
                int jj = 13;
                while (jj > 1 && digits.charAt(jj - 1) == '0') {
                    jj--;
                }
                long v2 = Long.parseLong(digits, 0, jj, 10);
                if (r == decimalToBinary(v2, exp + n - jj)) {
                    round = jj + 1;
                }
            }
            if (digits.charAt(round) >= '5') {
                int pos = round - 1;
                while (true) {
                    char c = (char) (digits.charAt(pos) + 1);
                    if (c <= '9') {
                        digits.setCharAt(pos, c);
                        break;
                    }
                    digits.setCharAt(pos, '0');
                    if (pos == 0) {
                        digits.insert(0, '1');
                        round++;
                        dp++;
                        break;
                    }
                    pos--;
                }
            }
            digits.setLength(round);
        }
        int len = digits.length();
        while (len > 1 && digits.charAt(len - 1) == '0') {
            len--;
        }
        digits.setLength(len);
        return format(value < 0, digits, dp);
    }

    /** printf's {@code %!.17g} layout of the digits with the decimal point after {@code dp} of them. */
    private static String format(boolean negative, StringBuilder digits, int dp) {
        StringBuilder out = new StringBuilder(32);
        if (negative) {
            out.append('-');
        }
        int len = digits.length();
        int exponent = dp - 1;
        if (exponent < -4 || exponent > 16) {
            out.append(digits.charAt(0)).append('.');
            if (len == 1) {
                out.append('0');
            } else {
                out.append(digits, 1, len);
            }
            out.append('e').append(exponent < 0 ? '-' : '+');
            int abs = Math.abs(exponent);
            if (abs < 10) {
                out.append('0');
            }
            out.append(abs);
        } else if (dp <= 0) {
            out.append("0.");
            out.repeat('0', -dp);
            out.append(digits);
        } else if (dp >= len) {
            out.append(digits);
            out.repeat('0', dp - len);
            out.append(".0");
        } else {
            out.append(digits, 0, dp).append('.').append(digits, dp, len);
        }
        return out.toString();
    }

    private static int pow10to2(int p) {
        return (p * 108853) >> 15;
    }

    private static int pow2to10(int p) {
        return (p * 78913) >> 18;
    }

    /** The high 96 bits of 10^p, normalized: {high 64 bits, next 32 bits}. */
    private static long[] powerOfTen(int p) {
        if (p == -1) {
            return new long[] {SCALE[13], SCALE_LOW[13]};
        }
        if (p >= 0 && p < 27) {
            return new long[] {BASE[p], 0};
        }
        int g = Math.floorDiv(p, 27);
        int k = Math.floorMod(p, 27);
        int idx = g + 13;
        if (k == 0) {
            return new long[] {SCALE[idx], SCALE_LOW[idx]};
        }
        // The high 96 bits of the 160-bit product SCALE:SCALE_LOW * BASE[k].
        long a = SCALE[idx];
        long aLow = SCALE_LOW[idx];
        long b = BASE[k];
        long high = Math.unsignedMultiplyHigh(a, b);
        long low = a * b;
        long carryIn = (Math.unsignedMultiplyHigh(aLow, b) << 32) | ((aLow * b) >>> 32);
        long sum = low + carryIn;
        if (Long.compareUnsigned(sum, low) < 0) {
            high++;
        }
        long x = high;
        long lo = sum >>> 32;
        if (x >= 0) {
            x = (x << 1) | (lo >>> 31);
            lo = ((lo << 1) | 1) & 0xffffffffL;
        }
        return new long[] {x, lo};
    }

    /** The double nearest (as SQLite computes it) to d * 10^p; used to test whether shorter digits round-trip. */
    private static double decimalToBinary(long d, int p) {
        if (p < -348) {
            return 0.0;
        }
        if (p > 347) {
            return Double.POSITIVE_INFINITY;
        }
        int b = 64 - Long.numberOfLeadingZeros(d);
        int lp = pow10to2(p);
        int e = 53 - b - lp;
        if (e > 1074) {
            if (e >= 1130) {
                return 0.0;
            }
            e = 1074;
        }
        int s = -(e - (64 - b) + lp + 3);
        long[] power = powerOfTen(p);
        long ph = power[0];
        long pl = power[1];
        if (pl != 0) {
            ph++;
            pl = ~pl & 0xffffffffL;
        }
        long x = d << (64 - b);
        long hi = Math.unsignedMultiplyHigh(x, ph);
        long lo = x * ph;
        int mid1 = (int) (lo >>> 32);
        long sticky = 1;
        if ((hi & ((1L << s) - 1)) == 0) {
            long lo2 = Math.unsignedMultiplyHigh(x, pl << 32);
            int mid2 = (int) (lo2 >>> 32);
            sticky = Integer.compareUnsigned(mid1 - mid2, 1) > 0 ? 1 : 0;
            if (Integer.compareUnsigned(mid1, mid2) < 0) {
                hi--;
            }
        }
        long u = (hi >>> s) | sticky;
        if (Long.compareUnsigned(u, (1L << 55) - 2) >= 0) {
            u = (u >>> 1) | (u & 1);
            e--;
        }
        long mantissa = (u + 1 + ((u >>> 2) & 1)) >>> 2;
        if (e <= -972) {
            return Double.POSITIVE_INFINITY;
        }
        if ((mantissa & (1L << 52)) != 0) {
            mantissa = (mantissa & ~(1L << 52)) | ((long) (1075 - e) << 52);
        }
        return Double.longBitsToDouble(mantissa);
    }
}
