package io.pulsebase.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.policy.AccessPolicies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the {@code --policies} file (table policies and channel rules, see docs/security.md) once at start. Every
 * problem is an {@link IllegalArgumentException} whose message names the file and what is wrong (the table and
 * operation, or the channel rule); the server then refuses to start.
 */
final class PolicyFile {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PolicyFile() {
    }

    /** The policies in {@code file}, or {@link AccessPolicies#none()} when no file is given. */
    static AccessPolicies load(Path file) {
        if (file == null) {
            return AccessPolicies.none();
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("policies: --policies: cannot read " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        try {
            return AccessPolicies.parse(JSON.readTree(text));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("policies: " + file + " is not valid JSON (line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("policies: " + file + ": "
                    + e.getMessage().replaceFirst("^policies: ", ""));
        }
    }
}
