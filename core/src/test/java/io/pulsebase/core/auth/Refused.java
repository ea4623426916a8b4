package io.pulsebase.core.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** Asserts a refusal's code, and that its message and toString hold none of the given secrets or token parts. */
final class Refused {
    private Refused() {}

    static ProtocolException refused(ErrorCode code, ThrowingCallable call, String... secrets) {
        ProtocolException e = catchThrowableOfType(ProtocolException.class, call);
        assertThat(e).as("a ProtocolException").isNotNull();
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.getMessage()).isNotBlank();
        assertThat(e.getCause()).isNull();
        for (String secret : secrets) {
            assertNoSecret(e.getMessage(), secret);
            assertNoSecret(e.toString(), secret);
        }
        return e;
    }

    static ProtocolException unauthorized(ThrowingCallable call, String... secrets) {
        return refused(ErrorCode.UNAUTHORIZED, call, secrets);
    }

    /** Neither the secret nor any of its dot-separated parts (header, payload, signature) of 8+ characters. */
    static void assertNoSecret(String text, String secret) {
        if (secret == null) {
            return;
        }
        if (secret.length() >= 8) {
            assertThat(text).doesNotContain(secret);
        }
        for (String part : secret.split("\\.")) {
            if (part.length() >= 8) {
                assertThat(text).doesNotContain(part);
            }
        }
    }
}
