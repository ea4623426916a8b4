package io.pulsebase.core.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PoliciesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TableSchema TODOS = new TableSchema("todos", List.of(
            new Column("id", "INTEGER", Column.Affinity.INTEGER, true, true),
            new Column("owner_id", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("team_id", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("note", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("done", "INTEGER", Column.Affinity.INTEGER, false, false)), "id");

    private static Policies policies(String json) {
        try {
            return Policies.parse(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Identity user(String sub, Map<String, Object> claims) {
        Map<String, Object> all = new HashMap<>(claims);
        all.put("sub", sub);
        return new Identity("default", sub, Role.USER, all, null);
    }

    private static Map<String, Object> row(Object id, String owner, Object team, String note) {
        Map<String, Object> row = new HashMap<>();
        row.put("id", id);
        row.put("owner_id", owner);
        row.put("team_id", team);
        row.put("note", note);
        row.put("done", 0L);
        return row;
    }

    private static ErrorCode codeOf(Runnable r) {
        try {
            r.run();
        } catch (ProtocolException e) {
            return e.code();
        }
        return null;
    }

    @Test
    void anOwnerPolicyBecomesAnIndexedEqualityOnTheCallersSubject() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"owner_id = auth.sub\"}}}");
        RowFilter ada = p.policy(user("ada", Map.of()), PolicyOperation.SELECT, TODOS);
        assertThat(ada.matches(row(1L, "ada", 1L, "x"))).isTrue();
        assertThat(ada.matches(row(2L, "bob", 1L, "x"))).isFalse();
        assertThat(ada.indexKey()).isPresent();
        assertThat(ada.canonical()).contains("'ada'");

        RowFilter withOwn = p.filter(user("ada", Map.of()), PolicyOperation.SELECT, TODOS, "done = 0");
        assertThat(withOwn.matches(row(1L, "ada", 1L, "x"))).isTrue();
        assertThat(withOwn.indexKey()).as("the policy's equality still indexes the joined filter").isPresent();
    }

    @Test
    void aClaimCannotChangeThePolicysStructure() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"owner_id = auth.sub\"}}}");
        RowFilter evil = p.policy(user("x' OR '1'='1", Map.of()), PolicyOperation.SELECT, TODOS);
        assertThat(evil.matches(row(1L, "ada", 1L, "x"))).isFalse();
        assertThat(evil.matches(row(2L, "x' OR '1'='1", 1L, "x"))).isTrue();
    }

    @Test
    void listClaimsFeedInAndAnEmptyOrAbsentListDeniesEvenUnderNotIn() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"team_id IN auth.teams\",\"update\":\"team_id NOT IN auth.blocked\"}}}");
        RowFilter member = p.policy(user("ada", Map.of("teams", List.of(1L, 2L))), PolicyOperation.SELECT, TODOS);
        assertThat(member.matches(row(1L, "z", 2L, null))).isTrue();
        assertThat(member.matches(row(1L, "z", 3L, null))).isFalse();
        RowFilter single = p.policy(user("ada", Map.of("teams", 3L)), PolicyOperation.SELECT, TODOS);
        assertThat(single.matches(row(1L, "z", 3L, null))).isTrue();
        RowFilter none = p.policy(user("ada", Map.of()), PolicyOperation.SELECT, TODOS);
        assertThat(none.matches(row(1L, "z", 3L, null))).isFalse();
        RowFilter notIn = p.policy(user("ada", Map.of("blocked", List.of())), PolicyOperation.UPDATE, TODOS);
        assertThat(notIn.matches(row(1L, "z", 3L, null))).as("NOT IN nothing denies").isFalse();
        RowFilter notInSome = p.policy(user("ada", Map.of("blocked", List.of(4L))), PolicyOperation.UPDATE, TODOS);
        assertThat(notInSome.matches(row(1L, "z", 3L, null))).isTrue();
        assertThat(notInSome.matches(row(1L, "z", 4L, null))).isFalse();
    }

    @Test
    void missingClaimsNestedPathsRoleAndAccountAreAvailable() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"note = auth.app.plan OR owner_id = auth.role"
                + " OR owner_id = auth.account OR owner_id = auth.nothing\"}}}");
        Identity ada = user("ada", Map.of("app", Map.of("plan", "pro")));
        RowFilter f = p.policy(ada, PolicyOperation.SELECT, TODOS);
        assertThat(f.matches(row(1L, "q", 1L, "pro"))).isTrue();
        assertThat(f.matches(row(1L, "user", 1L, "free"))).isTrue();
        assertThat(f.matches(row(1L, "default", 1L, "free"))).isTrue();
        assertThat(f.matches(row(1L, null, 1L, null))).as("absent claim is NULL, which matches nothing").isFalse();
    }

    @Test
    void referencesInsideStringsAndQuotedNamesAreText() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"note = 'auth.sub' AND \\\"owner_id\\\" = auth.sub\"}}}");
        RowFilter f = p.policy(user("ada", Map.of()), PolicyOperation.SELECT, TODOS);
        assertThat(f.matches(row(1L, "ada", 1L, "auth.sub"))).isTrue();
        assertThat(f.matches(row(1L, "ada", 1L, "ada"))).isFalse();
    }

    @Test
    void tablesAndOperationsWithoutAPolicyAreClosedExceptToTheService() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"TRUE\"}}}");
        Identity ada = user("ada", Map.of());
        assertThat(p.policy(ada, PolicyOperation.SELECT, TODOS).matches(row(1L, "bob", 1L, null))).isTrue();
        assertThat(codeOf(() -> p.policy(ada, PolicyOperation.DELETE, TODOS))).isEqualTo(ErrorCode.FORBIDDEN);
        TableSchema other = new TableSchema("other", TODOS.columns(), "id");
        assertThat(codeOf(() -> p.policy(ada, PolicyOperation.SELECT, other))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(codeOf(() -> Policies.none().policy(Identity.anonymous("default"), PolicyOperation.SELECT, TODOS)))
                .isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(Policies.none().policy(Identity.service("default"), PolicyOperation.DELETE, TODOS)).isSameAs(RowFilter.ALL);
        assertThat(Policies.none().filter(Identity.service("default"), PolicyOperation.SELECT, TODOS, "done = 1")
                .matches(row(1L, "x", 1L, null))).isFalse();
    }

    @Test
    void allCoversTheOperationsNotNamedAndTableNamesIgnoreCase() {
        Policies p = policies("{\"tables\":{\"TODOS\":{\"select\":\"TRUE\",\"all\":\"owner_id = auth.sub\"}}}");
        Identity ada = user("ada", Map.of());
        assertThat(p.policy(ada, PolicyOperation.SELECT, TODOS).matches(row(1L, "bob", 1L, null))).isTrue();
        for (PolicyOperation op : List.of(PolicyOperation.INSERT, PolicyOperation.UPDATE, PolicyOperation.DELETE)) {
            assertThat(p.policy(ada, op, TODOS).matches(row(1L, "bob", 1L, null))).isFalse();
            assertThat(p.policy(ada, op, TODOS).matches(row(1L, "ada", 1L, null))).isTrue();
        }
    }

    @Test
    void theCallersFilterErrorsComeFirstAndAPolicyThatDoesNotFitIsForbiddenWithoutItsText() {
        Policies p = policies("{\"tables\":{\"todos\":{\"select\":\"colour = auth.sub\"}}}");
        Identity ada = user("ada", Map.of());
        assertThat(codeOf(() -> p.filter(ada, PolicyOperation.SELECT, TODOS, "nope = 1"))).isEqualTo(ErrorCode.INVALID_FILTER);
        assertThatThrownBy(() -> p.filter(ada, PolicyOperation.SELECT, TODOS, "done = 1"))
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
                    assertThat(e.getMessage()).doesNotContain("colour");
                });
    }

    @Test
    void badPolicyFilesAreRefusedNamingTheProblem() {
        assertThatThrownBy(() -> policies("{\"tables\":{\"t\":{\"select\":\"owner_id = = 1\"}}}"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("table 't', select");
        assertThatThrownBy(() -> policies("{\"tables\":{\"t\":{\"read\":\"TRUE\"}}}"))
                .hasMessageContaining("unknown operation 'read'");
        assertThatThrownBy(() -> policies("{\"tables\":{\"t\":{\"select\":true}}}"))
                .hasMessageContaining("must be a string");
        assertThatThrownBy(() -> policies("{\"tables\":{\"t\":{\"select\":\"owner = auth.\"}}}"))
                .hasMessageContaining("not a claim reference");
        assertThatThrownBy(() -> policies("{\"tables\":{\"t\":{\"select\":\" \"}}}"))
                .hasMessageContaining("must not be empty");
        assertThatThrownBy(() -> policies("{\"rules\":{}}")).hasMessageContaining("unknown key 'rules'");
        assertThatThrownBy(() -> policies("[]")).hasMessageContaining("JSON object");
        assertThat(policies("{}").isEmpty()).isTrue();
    }
}
