package io.pulsebase.protocol;

/**
 * A refusal with a client-visible {@link ErrorCode}. The message is shown to the client as is, so it must
 * never contain secrets or raw driver text.
 */
public class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ProtocolException(ErrorCode code, String message, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
