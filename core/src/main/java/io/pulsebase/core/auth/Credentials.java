package io.pulsebase.core.auth;

/**
 * What a request carries to prove who it is, exactly as the edge read it, not yet verified:
 * {@code Authorization: Bearer <value>} ({@link #bearer}), {@code ?token=<value>} ({@link #token}) and
 * {@code ?apikey=<value>} ({@link #apikey}). Query parameters exist because browsers cannot set headers on a
 * WebSocket or an {@code EventSource}. Blank values count as absent.
 *
 * <p>How the values are read (see {@link #tokenSlot()} and {@link #jwt()}):
 * <ul>
 *   <li>The header and {@code ?token=} are one slot; when both are present the header wins and the query value
 *       is ignored.</li>
 *   <li>A slot value with a dot is a JWT (compact JWS has exactly two); one without is an API key, so a backend
 *       may send its service key as {@code Authorization: Bearer <key>}. Configured API keys never contain a
 *       dot ({@link AuthConfig} checks), so the two never collide.</li>
 *   <li>{@code ?apikey=} is always an API key.</li>
 * </ul>
 *
 * <p>{@link #toString()} says only which values are present: never log the values themselves.
 *
 * @param bearer the value after {@code Bearer } in the {@code Authorization} header, or {@code null}
 * @param token  the {@code token} query parameter, or {@code null}
 * @param apikey the {@code apikey} query parameter, or {@code null}
 */
public record Credentials(String bearer, String token, String apikey) {
    /** No credentials at all. */
    public static final Credentials NONE = new Credentials(null, null, null);

    public Credentials {
        bearer = blankToNull(bearer);
        token = blankToNull(token);
        apikey = blankToNull(apikey);
    }

    /** A token (or key) as an {@code auth} message carries it: read like the {@code ?token=} slot. */
    public static Credentials ofToken(String token) {
        return new Credentials(null, token, null);
    }

    /** An API key as {@code ?apikey=} carries it. */
    public static Credentials ofApiKey(String apikey) {
        return new Credentials(null, null, apikey);
    }

    /** Whether nothing at all was presented. */
    public boolean isEmpty() {
        return bearer == null && token == null && apikey == null;
    }

    /** The header value, else the {@code ?token=} value, else {@code null}. */
    public String tokenSlot() {
        return bearer != null ? bearer : token;
    }

    /** The token slot's value when it is shaped like a JWT (has a dot), else {@code null}. */
    public String jwt() {
        String slot = tokenSlot();
        return slot != null && slot.indexOf('.') >= 0 ? slot : null;
    }

    /**
     * The API keys presented: {@code ?apikey=}, and the token slot when it has no dot. Up to two values; the
     * composite refuses two different ones.
     */
    String slotKey() {
        String slot = tokenSlot();
        return slot != null && slot.indexOf('.') < 0 ? slot : null;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    @Override
    public String toString() {
        return "Credentials[bearer=" + (bearer != null) + ", token=" + (token != null) + ", apikey="
                + (apikey != null) + "]";
    }
}
