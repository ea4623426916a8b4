package io.pulsebase.core.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.auth.ApiKey;
import io.pulsebase.core.auth.AuthConfig;
import io.pulsebase.core.auth.Credentials;
import io.pulsebase.core.auth.Identity;
import io.pulsebase.core.auth.Role;
import io.pulsebase.core.policy.AccessPolicies;
import io.pulsebase.core.policy.ChannelAction;
import io.pulsebase.core.policy.PolicyOperation;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.ProtocolException;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatekeeperTest {
    private static final String ANON = "public-key-0123456789";
    private static final String SERVICE = "service-key-0123456789";
    private static final String OTHER_SERVICE = "other-service-key-0123456789";

    private static AuthConfig.Builder keys() {
        return AuthConfig.builder()
                .apiKey(ApiKey.anon(AuthConfig.DEFAULT_ACCOUNT, ANON))
                .apiKey(ApiKey.service(AuthConfig.DEFAULT_ACCOUNT, SERVICE))
                .apiKey(ApiKey.service("acme", OTHER_SERVICE));
    }

    private static ErrorCode refusal(Runnable call) {
        try {
            call.run();
        } catch (ProtocolException e) {
            return e.code();
        }
        throw new AssertionError("not refused");
    }

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Gatekeeper gatekeeper(AuthConfig config) {
        return new Gatekeeper(config, AccessPolicies.none(), new NodeMetrics(registry));
    }

    private static final Identity USER = new Identity(AuthConfig.DEFAULT_ACCOUNT, "u1", Role.USER, Map.of(), null);

    @Test
    void disabledSecurityAdmitsEveryoneAsAServiceCallerWhoMayDoEverything() {
        Gatekeeper gate = gatekeeper(AuthConfig.disabled());
        assertThat(gate.enabled()).isFalse();
        Identity caller = gate.admit(new Credentials("garbage", "x.y.z", "nonsense"));
        assertThat(caller.isService()).isTrue();
        assertThatCode(() -> {
            gate.requireTable(caller, PolicyOperation.SELECT, "todos");
            gate.requireService(caller, "/v1/sql");
            gate.requireChannel(caller, ChannelAction.PUBLISH, "chat/a");
        }).doesNotThrowAnyException();
    }

    @Test
    void callersOfEveryAccountAreAdmittedWithTheirOwnAccount() {
        Gatekeeper gate = gatekeeper(keys().build());
        assertThat(gate.admit(Credentials.ofApiKey(SERVICE)).account()).isEqualTo(AuthConfig.DEFAULT_ACCOUNT);
        Identity other = gate.admit(Credentials.ofApiKey(OTHER_SERVICE));
        assertThat(other.account()).isNotEqualTo(AuthConfig.DEFAULT_ACCOUNT);
        assertThat(other.isService()).isTrue();
    }

    @Test
    void tablesSqlAndMetricsAreForServiceCallersOnly() {
        Gatekeeper gate = gatekeeper(keys().build());
        Identity service = gate.admit(Credentials.ofApiKey(SERVICE));
        Identity anon = gate.admit(Credentials.ofApiKey(ANON));
        assertThatCode(() -> gate.requireTable(service, PolicyOperation.SELECT, "todos")).doesNotThrowAnyException();
        assertThat(refusal(() -> gate.requireTable(USER, PolicyOperation.SELECT, "todos"))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal(() -> gate.requireTable(anon, PolicyOperation.SELECT, "todos"))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal(() -> gate.requireService(USER, "/v1/sql"))).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void channelsAreOpenToUsersAndToAnonymousCallersOnlyWhereTheServerAdmitsThem() {
        Gatekeeper refusing = gatekeeper(keys().build());
        Gatekeeper admitting = gatekeeper(keys().noCredentials(AuthConfig.NoCredentials.ANON).build());
        Identity anon = Identity.anonymous(AuthConfig.DEFAULT_ACCOUNT);
        assertThatCode(() -> refusing.requireChannel(USER, ChannelAction.SUBSCRIBE, "chat/a")).doesNotThrowAnyException();
        assertThat(refusal(() -> refusing.requireChannel(anon, ChannelAction.SUBSCRIBE, "chat/a"))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal(() -> refusing.admit(Credentials.NONE))).isEqualTo(ErrorCode.UNAUTHORIZED);
        Identity nobody = admitting.admit(Credentials.NONE);
        assertThatCode(() -> admitting.requireChannel(nobody, ChannelAction.SUBSCRIBE, "chat/a")).doesNotThrowAnyException();
        assertThat(refusal(() -> admitting.requireTable(nobody, PolicyOperation.SELECT, "todos"))).isEqualTo(ErrorCode.FORBIDDEN);
    }

    @Test
    void aRefreshMustNameTheSameCaller() {
        Gatekeeper gate = gatekeeper(keys().build());
        Identity service = gate.admit(Credentials.ofApiKey(SERVICE));
        assertThat(gate.refresh(service, Credentials.ofToken(SERVICE)).isService()).isTrue();
        assertThat(refusal(() -> gate.refresh(service, Credentials.ofToken(ANON)))).isEqualTo(ErrorCode.FORBIDDEN);
        assertThat(refusal(() -> gate.refresh(service, Credentials.ofToken("x.y.z")))).isEqualTo(ErrorCode.UNAUTHORIZED);
        assertThat(registry.get("pulsebase.auth.refusals").tag("code", "forbidden").counter().count()).isEqualTo(1);
        assertThat(registry.get("pulsebase.auth.refusals").tag("code", "unauthorized").counter().count()).isEqualTo(1);
    }
}
