package io.pulsebase.storage.sqlite;

import io.pulsebase.testkit.contract.EventLogContract;
import io.pulsebase.testkit.contract.StorageFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteEventLogContractTest extends EventLogContract {
    @TempDir
    Path dir;

    @Override
    protected StorageFixture openFixture() {
        return new SqliteFixture(dir);
    }
}
