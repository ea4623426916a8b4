package io.pulsebase.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.core.store.Column;
import io.pulsebase.core.store.TableSchema;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Fuzzing the policy parser: any text is either a policy (which then binds and applies with at most a named
 * refusal) or refused at load with an {@link IllegalArgumentException} — nothing else escapes.
 */
class PolicyParserFuzzProperties {
    private static final TableSchema T = new TableSchema("t", List.of(
            new Column("a", "INTEGER", Column.Affinity.INTEGER, false, false),
            new Column("b", "TEXT", Column.Affinity.TEXT, false, false)), "rowid");
    private static final Identity CALLER = new Identity("default", "u'1", Role.USER,
            Map.of("sub", "u'1", "teams", List.of(1L, "x"), "n", 2.5), null);

    @Property(tries = 3000)
    void anyTextIsAPolicyOrRefusedAtLoad(@ForAll("policyish") String text) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.putObject("tables").putObject("t").put("select", text);
        Policies policies;
        try {
            policies = Policies.parse(root);
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).startsWith("policies:");
            return;
        }
        try {
            policies.policy(CALLER, PolicyOperation.SELECT, T).matches(Map.of("a", 1L, "b", "x"));
        } catch (ProtocolException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.FORBIDDEN);
        }
    }

    @Provide
    Arbitrary<String> policyish() {
        Arbitrary<String> tokens = Arbitraries.of("a", "b", "c", "=", "!=", "<", ">=", "IN", "NOT", "AND", "OR",
                "(", ")", ",", "'x'", "''", "'", "\"", "\"a\"", "1", "-2.5e3", "NULL", "TRUE", "LIKE", "'%'",
                "BETWEEN", "IS", "auth.sub", "auth.teams", "auth.n", "auth.", "auth.x.y", "auth..z", ".", "auth");
        return Arbitraries.oneOf(
                tokens.list().ofMinSize(1).ofMaxSize(12).map(l -> String.join(" ", l)),
                Arbitraries.strings().ofMaxLength(60));
    }
}
