package io.pulsebase.storage.sqlite;

import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.log.EventLog;
import io.pulsebase.testkit.contract.RowWrite;
import io.pulsebase.testkit.contract.StorageFixture;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;

/** The SQLite engine for the contract suites: writes go through {@link SqliteDatabase#transaction}. */
final class SqliteFixture implements StorageFixture {
    static final SqliteOptions OPTIONS = SqliteOptions.defaults().withPollInterval(Duration.ofMillis(5));

    private final Path dir;
    private final SqliteStorage storage;

    SqliteFixture(Path dir) {
        this.dir = dir;
        this.storage = SqliteStorage.open(dir, OPTIONS);
    }

    SqliteStorage storage() {
        return storage;
    }

    @Override
    public void createTable(String table) {
        storage.database().execute("CREATE TABLE " + SqlQuoting.identifier(table) + " (id INTEGER PRIMARY KEY, v TEXT)",
                List.of());
    }

    @Override
    public long commit(List<RowWrite> writes) {
        return storage.database().transaction(c -> {
            for (RowWrite write : writes) {
                String table = SqlQuoting.identifier(write.table());
                switch (write) {
                    case RowWrite.Insert insert -> {
                        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, v) VALUES (?, ?)")) {
                            ps.setLong(1, insert.id());
                            ps.setString(2, insert.value());
                            ps.executeUpdate();
                        }
                    }
                    case RowWrite.Update update -> {
                        try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET v = ? WHERE id = ?")) {
                            ps.setString(1, update.value());
                            ps.setLong(2, update.id());
                            ps.executeUpdate();
                        }
                    }
                    case RowWrite.Delete delete -> {
                        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ?")) {
                            ps.setLong(1, delete.id());
                            ps.executeUpdate();
                        }
                    }
                }
            }
            return null;
        }).position();
    }

    @Override
    public EventLog log() {
        return storage.log();
    }

    @Override
    public ChangeSource changeSource() {
        return storage.changeSource();
    }

    @Override
    public boolean canReopen() {
        return true;
    }

    @Override
    public StorageFixture reopen() {
        storage.close();
        return new SqliteFixture(dir);
    }

    @Override
    public void close() {
        storage.close();
    }
}
