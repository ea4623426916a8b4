package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.policy.AccessPolicies;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code --policies FILE}: read and checked at start; a bad file stops the server with a message naming the problem. */
class PolicyOptionsTest {
    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("policies.json"), text);
    }

    private static StartCommand parse(String... args) {
        StartCommand start = new StartCommand();
        new CommandLine(start).parseArgs(args);
        return start;
    }

    /** Runs {@code pulsebase start} as the launcher does; answers the exit code and what it printed on stderr. */
    private String refusedStart(Path policies) {
        StringWriter err = new StringWriter();
        int exit = new CommandLine(new PulsebaseCli()).setErr(new PrintWriter(err, true)).execute("start",
                "--host", "127.0.0.1", "--port", "0", "--data", dir.resolve("data").toString(),
                "--policies", policies.toString());
        assertThat(exit).as("exit code; stderr: %s", err).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("data"))).as("refused before the data folder was opened").isFalse();
        return err.toString();
    }

    @Test
    void withoutTheOptionThereAreNoPolicies() {
        assertThat(PolicyFile.load(parse().policies)).isSameAs(AccessPolicies.none());
    }

    @Test
    void aGoodFileIsReadWithItsTablesAndChannels() throws IOException {
        Path f = file("""
                {"tables": {"todos": {"select": "owner_id = auth.sub"}},
                 "channels": [{"pattern": "chat/*", "subscribe": "user"}]}""");
        AccessPolicies p = PolicyFile.load(parse("--policies", f.toString()).policies);
        assertThat(p.tables().tableCount()).isEqualTo(1);
        assertThat(p.channels()).hasValueSatisfying(rules -> assertThat(rules.size()).isEqualTo(1));
    }

    @Test
    void aBadFileRefusesToStartNamingTheFileAndTheProblem() throws IOException {
        Path f = file("{\"tables\": {\"todos\": {\"select\": \"owner_id = = auth.sub\"}}}");
        assertThat(refusedStart(f)).contains("policies: " + f + ": table 'todos', select:");
        file("{\"channels\": [{\"pattern\": \"chat/**/x\", \"subscribe\": \"user\"}]}");
        assertThat(refusedStart(f)).contains("channels[0] (pattern 'chat/**/x'): '**' may only be the last segment");
        file("{\"channels\": [{\"pattern\": \"chat/*\", \"subscribe\": \"admin\"}]}");
        assertThat(refusedStart(f)).contains("unknown role \"admin\" (anon, user or service)");
        file("{\"channels\": [{\"pattern\": \"chat/*\", \"join\": \"user\"}]}");
        assertThat(refusedStart(f)).contains("unknown action 'join'");
        file("{\"tables\": {\"todos\": {\"select\": \"TRUE\"}},\n  oops}");
        assertThat(refusedStart(f)).contains("is not valid JSON (line 2");
        assertThat(refusedStart(dir.resolve("missing.json"))).contains("--policies: cannot read");
    }
}
