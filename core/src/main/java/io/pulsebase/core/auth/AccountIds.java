package io.pulsebase.core.auth;

import java.util.regex.Pattern;

/**
 * The shape of an account (tenant) id: 1–64 characters of {@code [A-Za-z0-9_-]}, starting with a letter or
 * digit. Checked wherever an account id enters the server (a token claim, configuration) so that later layers
 * (per-account tables, channel names, log keys) never see separators, dots, spaces or control characters.
 */
public final class AccountIds {
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

    private AccountIds() {}

    /** Whether {@code id} is a well-formed account id. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }
}
