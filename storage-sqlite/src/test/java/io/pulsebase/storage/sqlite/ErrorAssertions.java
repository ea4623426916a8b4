package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

final class ErrorAssertions {
    private ErrorAssertions() {
    }

    /** Asserts the call fails with {@code code}; answers the client-visible message. */
    static String failsWith(ErrorCode code, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).isInstanceOf(ProtocolException.class);
        assertThat(((ProtocolException) thrown).code()).as("code of: %s", thrown.getMessage()).isEqualTo(code);
        return thrown.getMessage();
    }
}
