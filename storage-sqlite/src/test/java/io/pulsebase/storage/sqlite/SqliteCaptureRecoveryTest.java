package io.pulsebase.storage.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pulsebase.core.log.Commit;
import io.pulsebase.testkit.contract.EntryRecorder;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capture that cannot proceed reports it, retries, and resumes without losing or repeating an entry. */
class SqliteCaptureRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void captureIsNotRunningWhileLockedOutAndResumesAfterwards() throws Exception {
        SqliteOptions options = SqliteFixture.OPTIONS.withBusyTimeout(Duration.ofMillis(50));
        try (SqliteStorage storage = SqliteStorage.open(dir, options);
                Connection external = DriverManager.getConnection("jdbc:sqlite:" + storage.file());
                Statement statement = external.createStatement()) {
            // A table that needs triggers, and another program holding the write lock: capture cannot install them.
            statement.execute("CREATE TABLE late (id INTEGER PRIMARY KEY)");
            statement.execute("BEGIN IMMEDIATE");
            EntryRecorder recorder = new EntryRecorder();
            storage.changeSource().start(storage.log().head(), recorder);
            Thread.sleep(300);
            assertThat(storage.changeSource().running()).isFalse();
            statement.execute("COMMIT");

            await().atMost(Duration.ofSeconds(20)).until(() -> storage.changeSource().running());
            statement.execute("INSERT INTO late (id) VALUES (1)");
            await().atMost(Duration.ofSeconds(20)).until(() -> recorder.size() == 1);
            assertThat(((Commit) recorder.entries().get(0)).changes()).hasSize(1);
            assertThat(storage.database().snapshot("late", null, List.of(), 0).rows()).hasSize(1);
        }
    }
}
