package io.pulsebase.core.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "chat/general", "room/42", "notifications/user-7", "a/b/c/d",
            "org:1/user@example.com/x=y+z", "A_b.c/D-e"})
    void acceptsWellFormedNames(String topic) {
        assertThat(ChannelNames.problem(topic)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"chat/", "/chat", "chat//x", "chat/hello world", "a/", "/", "//", "chat/é",
            "chat/x\ty", "chat/x?y", "chat/#"})
    void refusesMalformedNames(String topic) {
        assertThatThrownBy(() -> ChannelNames.require(topic)).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.INVALID_TOPIC);
    }

    @org.junit.jupiter.api.Test
    void boundsTheLength() {
        String longest = "a/" + "b".repeat(ChannelNames.MAX_LENGTH - 2);
        assertThat(ChannelNames.problem(longest)).isNull();
        assertThat(ChannelNames.problem(longest + "c")).contains("characters long");
    }

    @org.junit.jupiter.api.Test
    void aTopicWithoutSlashIsATable() {
        assertThat(ChannelNames.isChannel("orders")).isFalse();
        assertThat(ChannelNames.problem("orders")).contains("table");
    }
}
