package io.pulsebase.storage.sqlite;

import io.pulsebase.testkit.contract.ChangeSourceContract;
import io.pulsebase.testkit.contract.StorageFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteChangeSourceContractTest extends ChangeSourceContract {
    @TempDir
    Path dir;

    @Override
    protected StorageFixture openFixture() {
        return new SqliteFixture(dir);
    }
}
