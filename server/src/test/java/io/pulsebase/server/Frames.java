package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;

/** Assertions on the frames a {@code WsTestClient} receives. */
final class Frames {
    private Frames() {
    }

    /** The single change of a {@code db_change} frame; fails unless it has exactly one. */
    static JsonNode onlyChange(JsonNode frame) {
        assertThat(frame.path("changes")).as("changes of %s", frame).hasSize(1);
        return frame.path("changes").get(0);
    }
}
