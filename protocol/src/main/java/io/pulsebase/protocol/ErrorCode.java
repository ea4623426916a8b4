package io.pulsebase.protocol;

import java.util.Locale;

/**
 * The closed set of error codes a client can see, in a {@code reply}, an {@code error} frame or a REST
 * error body. Anything unexpected is reported as {@link #INTERNAL} and logged with detail on the server;
 * raw exception text never reaches a client.
 *
 * <p>The wire name is the lower-case enum name ({@code bad_request}); {@link #httpStatus()} is the status
 * REST answers with.
 */
public enum ErrorCode {
    /** The message is well-formed JSON but a field is missing, of the wrong type or out of range. */
    BAD_REQUEST(400),
    /** The frame or body is not valid JSON (or not a JSON object). */
    INVALID_JSON(400),
    /** The message's {@code type} is not one the server knows. */
    UNKNOWN_TYPE(400),
    /** The topic names a table that does not exist. */
    UNKNOWN_TABLE(404),
    /** A column named in a request (row body, order, filter) does not exist. */
    UNKNOWN_COLUMN(400),
    /** The topic is not a valid channel name, or names a table where a channel is needed (or the reverse). */
    INVALID_TOPIC(400),
    /** The channel already has the maximum number of presence members. */
    TOO_MANY_MEMBERS(429),
    /** The subscription filter does not parse or does not fit the table; the message says what and where. */
    INVALID_FILTER(400),
    /** The SQL statement failed to prepare or execute. */
    SQL_ERROR(400),
    /** A constraint (primary key, unique, not null, check, foreign key) refused the write. */
    CONSTRAINT_VIOLATION(409),
    /** The row or resource does not exist. */
    NOT_FOUND(404),
    /** The HTTP method is not allowed on that path. */
    METHOD_NOT_ALLOWED(405),
    /** The connection already holds the maximum number of subscriptions. */
    TOO_MANY_SUBSCRIPTIONS(429),
    /** The caller's account holds as many connections as it may ({@code --max-connections-per-account}). */
    TOO_MANY_CONNECTIONS(429),
    /** An unsubscribe or other request named a topic this connection is not subscribed to. */
    NOT_SUBSCRIBED(400),
    /** No valid credentials. */
    UNAUTHORIZED(401),
    /** Valid credentials, but not allowed. */
    FORBIDDEN(403),
    /** A server hook (Java or webhook) refused the connect, subscribe or publish; the message is its reason. */
    REJECTED(403),
    /** A frame, body or value is over the configured size limit. */
    TOO_LARGE(413),
    /** Too many requests in too short a time. */
    RATE_LIMITED(429),
    /** The {@code since} position is not a position of this server's log; it is expired or unknown. Re-snapshot. */
    POSITION_EXPIRED(410),
    /** The {@code since} value is not a position (a string of decimal digits). */
    INVALID_POSITION(400),
    /** The capability exists in the protocol but not (yet) on this server. */
    NOT_SUPPORTED(501),
    /** The server is starting or shutting down; retry. */
    UNAVAILABLE(503),
    /** Something unexpected; details are in the server log. */
    INTERNAL(500);

    private final int httpStatus;
    private final String wireName;

    ErrorCode(int httpStatus) {
        this.httpStatus = httpStatus;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    /** The HTTP status REST answers with for this code. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The snake_case name on the wire. */
    public String wireName() {
        return wireName;
    }

    /** The code for a wire name, or {@link #INTERNAL} for a name this version does not know. */
    public static ErrorCode fromWireName(String name) {
        for (ErrorCode code : values()) {
            if (code.wireName.equals(name)) {
                return code;
            }
        }
        return INTERNAL;
    }
}
