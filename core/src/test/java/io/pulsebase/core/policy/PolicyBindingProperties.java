package io.pulsebase.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.core.filter.RowFilter;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;

/** Whatever the claims hold, a bound policy means what it says: claims are values, never syntax. */
class PolicyBindingProperties {
    private static final TableSchema T = new TableSchema("t", List.of(
            new Column("owner", "TEXT", Column.Affinity.TEXT, false, false),
            new Column("team", "INTEGER", Column.Affinity.INTEGER, false, false)), "rowid");
    private static final Policies POLICIES;

    static {
        try {
            POLICIES = Policies.parse(new ObjectMapper().readTree(
                    "{\"tables\":{\"t\":{\"select\":\"owner = auth.sub OR team IN auth.teams\"}}}"));
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Property(tries = 500)
    void aRowIsVisibleExactlyWhenItIsOwnedOrOfOneOfTheTeams(@ForAll String sub, @ForAll String owner,
                                                           @ForAll @Size(max = 5) List<Long> teams, @ForAll long team) {
        Map<String, Object> claims = new HashMap<>();
        claims.put("sub", sub);
        claims.put("teams", teams);
        Identity caller = new Identity("default", sub, Role.USER, claims, null);
        RowFilter visible = POLICIES.policy(caller, PolicyOperation.SELECT, T);

        for (String rowOwner : List.of(owner, sub)) {
            for (long rowTeam : teams.isEmpty() ? List.of(team) : List.of(team, teams.get(0))) {
                Map<String, Object> row = new HashMap<>();
                row.put("owner", rowOwner);
                row.put("team", rowTeam);
                boolean expected = rowOwner.equals(sub) || teams.contains(rowTeam);
                assertThat(visible.matches(row)).as("owner %s team %s for sub %s teams %s", rowOwner, rowTeam, sub, teams)
                        .isEqualTo(expected);
            }
        }
    }
}
