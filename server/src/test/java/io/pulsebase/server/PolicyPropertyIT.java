package io.pulsebase.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.testkit.client.WsTestClient;
import java.net.URI;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The live-query invariant under row-level policies, end to end: for a random policy, a random user, a random filter
 * and random transactions (rows changing owner, sharing and team, inserted, updated and deleted one by one and in
 * bulk), the user's copy — snapshot plus live changes, then a disconnect, more transactions, and a {@code since}
 * resume — equals, at each settled position, exactly the rows SQLite answers for the policy bound to that user AND
 * the filter: it never holds a row the policy denies and always holds every row it allows. Frames are checked on
 * their own as in {@link LiveQueryPropertyIT}.
 */
class PolicyPropertyIT {
    /** Table → select policy; the users' claims decide what each one sees. */
    private static final Map<String, String> POLICIES = Map.of(
            "p_owner", "owner = auth.sub",
            "p_shared", "owner = auth.sub OR shared = 1",
            "p_team", "team IN auth.teams",
            "p_others", "shared = 1 AND owner <> auth.sub");

    /** A user: its subject and its {@code teams} claim ({@code null}: no such claim). */
    record User(String sub, List<Integer> teams) {
        String token() {
            return teams == null ? Jwts.user(sub) : Jwts.user(sub, c -> c.claim("teams", teams));
        }

        /** The policy as SQL for this user, bound as the server binds it. */
        String bind(String policy) {
            String list = teams == null || teams.isEmpty() ? "(NULL)"
                    : "(" + String.join(", ", teams.stream().map(String::valueOf).toList()) + ")";
            return policy.replace("auth.sub", "'" + sub + "'").replace("auth.teams", list);
        }
    }

    private static final List<User> USERS = List.of(new User("u1", List.of(1)), new User("u2", List.of(1, 2)),
            new User("u3", null));

    private static TestServer server;

    @BeforeContainer
    static void startServer() {
        StringBuilder tables = new StringBuilder("{\"tables\": {\"sentinel\": {\"select\": \"TRUE\"}");
        POLICIES.forEach((table, policy) -> tables.append(", \"").append(table).append("\": {\"select\": \"")
                .append(policy).append("\"}"));
        server = TestServer.start(c -> c.withAuth(Jwts.config()).withPolicies(Policy.of(tables + "}}")))
                .helpersAuthorizedWith(Jwts.SERVICE_KEY);
        server.sql("CREATE TABLE sentinel (id INTEGER PRIMARY KEY, n INTEGER)");
        for (String table : POLICIES.keySet()) {
            server.sql("CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, owner TEXT, shared INTEGER, team INTEGER, "
                    + "n INTEGER)");
        }
    }

    @AfterContainer
    static void stopServer() {
        server.close();
    }

    @Property(tries = 30)
    void aUsersCopyIsExactlyWhatThePolicyAllowsAtItsPosition(@ForAll("tables") String table,
                                                             @ForAll("users") User user,
                                                             @ForAll("filters") String filter,
                                                             @ForAll("histories") List<String> history,
                                                             @ForAll("splits") double splitAt) {
        server.sql("DELETE FROM " + table);
        server.sql("INSERT INTO " + table + " (id, owner, shared, team, n) VALUES (1, 'u1', 0, 1, 1), "
                + "(2, 'u2', 1, 2, 2), (3, 'u3', 0, NULL, 3), (4, 'nobody', 1, 1, 4)");
        List<String> txs = history.stream().map(s -> s.replace("$T", table)).toList();
        int split = (int) (txs.size() * splitAt);
        String expected = "SELECT * FROM " + table + " WHERE (" + user.bind(POLICIES.get(table)) + ") AND ("
                + filter + ")";
        URI ws = URI.create(server.ws() + "?token=" + user.token());

        LiveQueryPropertyIT.ClientCopy copy = new LiveQueryPropertyIT.ClientCopy();
        WsTestClient client = LiveQueryPropertyIT.subscribe(server, ws, table, filter, null, copy);
        txs.subList(0, split).forEach(server::sql);
        LiveQueryPropertyIT.settle(server, client, copy, table);
        client.close();
        assertThat(copy.rows).as("live copy of %s for %s", table, user)
                .isEqualTo(LiveQueryPropertyIT.rowsById(server, expected));

        txs.subList(split, txs.size()).forEach(server::sql); // while disconnected

        WsTestClient resumed = LiveQueryPropertyIT.subscribe(server, ws, table, filter, copy.position, copy);
        LiveQueryPropertyIT.settle(server, resumed, copy, table);
        resumed.close();
        assertThat(copy.rows).as("resumed copy of %s for %s", table, user)
                .isEqualTo(LiveQueryPropertyIT.rowsById(server, expected));
    }

    // ------------------------------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String> tables() {
        return Arbitraries.of(POLICIES.keySet());
    }

    @Provide
    Arbitrary<User> users() {
        return Arbitraries.of(USERS);
    }

    @Provide
    Arbitrary<String> filters() {
        return Arbitraries.of("TRUE", "n > 2", "shared = 0", "team = 1", "owner IS NOT NULL");
    }

    @Provide
    Arbitrary<Double> splits() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Provide
    Arbitrary<List<String>> histories() {
        Arbitrary<Integer> id = Arbitraries.integers().between(1, 8);
        Arbitrary<String> owner = Arbitraries.of("'u1'", "'u2'", "'u3'", "'nobody'", "NULL");
        Arbitrary<String> flag = Arbitraries.of("0", "1", "NULL");
        Arbitrary<String> team = Arbitraries.of("1", "2", "3", "NULL");
        Arbitrary<Integer> n = Arbitraries.integers().between(0, 5);
        Arbitrary<String> insert = Combinators.combine(id, owner, flag, team, n)
                .as((i, o, s, t, v) -> "INSERT INTO $T (id, owner, shared, team, n) VALUES (" + i + ", " + o + ", "
                        + s + ", " + t + ", " + v + ") ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, "
                        + "shared = excluded.shared, team = excluded.team, n = excluded.n");
        Arbitrary<String> giveAway = Combinators.combine(id, owner)
                .as((i, o) -> "UPDATE $T SET owner = " + o + " WHERE id = " + i);
        Arbitrary<String> share = Combinators.combine(id, flag)
                .as((i, s) -> "UPDATE $T SET shared = " + s + ", n = n + 1 WHERE id = " + i);
        Arbitrary<String> moveTeams = Combinators.combine(team, n)
                .as((t, v) -> "UPDATE $T SET team = " + t + " WHERE n >= " + v);
        Arbitrary<String> delete = id.map(i -> "DELETE FROM $T WHERE id = " + i);
        Arbitrary<String> deleteOwned = owner.map(o -> "DELETE FROM $T WHERE owner = " + o);
        return Arbitraries.frequencyOf(Tuple.of(4, insert), Tuple.of(3, giveAway), Tuple.of(2, share),
                        Tuple.of(1, moveTeams), Tuple.of(2, delete), Tuple.of(1, deleteOwned))
                .list().ofMinSize(1).ofMaxSize(20);
    }
}
