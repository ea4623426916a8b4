package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.pulsebase.core.Node;
import io.pulsebase.storage.sqlite.SqliteOptions;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where each account's database lives, and the {@code --max-accounts} option. */
class SqliteAccountsTest {
    @TempDir
    Path dir;

    @Test
    void theDefaultAccountKeepsTheDataDirectoryAndOthersGetAFolderEach() {
        SqliteAccounts accounts = new SqliteAccounts(dir, "default", SqliteOptions.defaults());
        assertThat(accounts.directory("default")).isEqualTo(dir);
        assertThat(accounts.directory("acme")).isEqualTo(dir.resolve("accounts").resolve("acme"));
        Node.Engines acme = accounts.open("acme");
        try {
            acme.database().execute("CREATE TABLE t (id INTEGER PRIMARY KEY)", List.of());
        } finally {
            acme.database().close();
        }
        assertThat(dir.resolve("accounts/acme/pulsebase.db")).exists();
        assertThat(dir.resolve("pulsebase.db")).doesNotExist();
    }

    @Test
    void foldersDifferForIdsThatDifferOnlyInCase() {
        List<String> ids = List.of("acme", "Acme", "ACME", "aCme", "acme-1", "a_b", "A_b");
        Set<String> folded = new HashSet<>();
        for (String id : ids) {
            String folder = SqliteAccounts.folder(id);
            assertThat(folded.add(folder.toLowerCase(Locale.ROOT))).as(id + " -> " + folder).isTrue();
            assertThat(folder).startsWith(id).matches("[A-Za-z0-9_.-]+");
        }
        assertThat(SqliteAccounts.folder("acme")).isEqualTo("acme");
        assertThat(SqliteAccounts.folder("Acme")).matches("Acme\\.[0-9a-f]{16}");
        assertThat(SqliteAccounts.folder("Acme")).isEqualTo(SqliteAccounts.folder("Acme"));
        assertThatThrownBy(() -> SqliteAccounts.folder("../x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxAccountsIsAnOptionAndMustLeaveRoomForTheDefaultAccount() {
        assertThat(parse().maxAccounts).isEqualTo(ServerConfig.DEFAULT_MAX_ACCOUNTS);
        assertThat(parse("--max-accounts", "7").maxAccounts).isEqualTo(7);
        assertThatThrownBy(() -> ServerConfig.defaults(dir).withMaxAccounts(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--max-accounts");
    }

    private static StartCommand parse(String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start;
    }
}
