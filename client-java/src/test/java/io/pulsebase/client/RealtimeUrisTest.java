package io.pulsebase.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class RealtimeUrisTest {

    @Test
    void realtimeUriFromHttpBase() {
        assertThat(RealtimeUris.realtimeUri(URI.create("http://localhost:8080")))
                .hasToString("ws://localhost:8080/v1/realtime");
        assertThat(RealtimeUris.realtimeUri(URI.create("https://h.example/")))
                .hasToString("wss://h.example/v1/realtime");
        assertThat(RealtimeUris.realtimeUri(URI.create("ws://h:1/custom?x=1")))
                .hasToString("ws://h:1/custom?x=1");
        assertThatThrownBy(() -> RealtimeUris.realtimeUri(URI.create("ftp://h")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anApiKeyIsOneMoreQueryParameter() {
        assertThat(RealtimeUris.withQuery(URI.create("ws://h/v1/realtime"), "apikey=k"))
                .hasToString("ws://h/v1/realtime?apikey=k");
        assertThat(RealtimeUris.withQuery(URI.create("ws://h/custom?x=1"), "apikey=k"))
                .hasToString("ws://h/custom?x=1&apikey=k");
    }
}
