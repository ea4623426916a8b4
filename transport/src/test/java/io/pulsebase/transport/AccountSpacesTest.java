package io.pulsebase.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulsebase.core.Node;
import io.pulsebase.core.NodeConfig;
import io.pulsebase.core.NodeMetrics;
import io.pulsebase.core.account.AccountEngines;
import io.pulsebase.core.account.AccountSpace;
import io.pulsebase.core.account.AccountSpaces;
import io.pulsebase.core.broker.MemoryBroker;
import io.pulsebase.protocol.ErrorCode;
import io.pulsebase.protocol.JsonCodec;
import io.pulsebase.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The accounts a node serves ({@link AccountSpaces}), on the in-memory engines of the transport tests: one space
 * per account, opened once however many callers race for it, at most {@code maxAccounts}, and a failed opening
 * answered {@code unavailable} and tried again later.
 */
class AccountSpacesTest {
    private final ConcurrentHashMap<String, AtomicInteger> opened = new ConcurrentHashMap<>();

    private Node.Engines engines(String account) {
        opened.computeIfAbsent(account, a -> new AtomicInteger()).incrementAndGet();
        return new Node.Engines(new InMemoryDatabase().withTable("t"), new ListEventLog(), new ManualChangeSource(),
                new MemoryBroker());
    }

    private AccountSpaces spaces(AccountEngines engines, int max) {
        return new AccountSpaces(engines, max, NodeConfig.defaults(), new JsonCodec(),
                new NodeMetrics(new SimpleMeterRegistry()));
    }

    private static ErrorCode refusal(Runnable call) {
        try {
            call.run();
        } catch (ProtocolException e) {
            return e.code();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void eachAccountGetsItsOwnSpaceOpenedOnceEvenWhenCallersRace() throws InterruptedException {
        try (AccountSpaces spaces = spaces(this::engines, 10)) {
            CountDownLatch go = new CountDownLatch(1);
            List<AccountSpace> seen = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String account = i % 2 == 0 ? "acme" : "globex";
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.add(spaces.space(account));
                }));
            }
            go.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(opened).containsOnlyKeys("acme", "globex");
            assertThat(opened.values()).allMatch(n -> n.get() == 1);
            assertThat(seen.stream().distinct()).hasSize(2);
            AccountSpace acme = spaces.space("acme");
            assertThat(acme.account()).isEqualTo("acme");
            assertThat(acme.database()).isNotSameAs(spaces.space("globex").database());
            assertThat(acme.log()).isNotSameAs(spaces.space("globex").log());
            assertThat(spaces.capturing()).isTrue();
        }
    }

    @Test
    void atMostMaxAccountsAreServedAndTheNextIsForbiddenWithoutOpeningAnything() {
        try (AccountSpaces spaces = spaces(this::engines, 2)) {
            spaces.space("default");
            spaces.space("acme");
            assertThat(refusal(() -> spaces.space("globex"))).isEqualTo(ErrorCode.FORBIDDEN);
            assertThat(opened).doesNotContainKey("globex");
            assertThat(spaces.space("acme")).isNotNull(); // the open ones are still served
        }
    }

    @Test
    void anAccountWhoseStorageFailsIsUnavailableAndTriedAgainLater() {
        AtomicInteger attempts = new AtomicInteger();
        AccountEngines flaky = account -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("disk full");
            }
            return engines(account);
        };
        try (AccountSpaces spaces = spaces(flaky, 5)) {
            assertThatThrownBy(() -> spaces.space("acme")).isInstanceOf(ProtocolException.class)
                    .hasMessageNotContaining("disk full")
                    .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.UNAVAILABLE));
            assertThat(spaces.space("acme").account()).isEqualTo("acme");
            assertThat(attempts).hasValue(2);
        }
    }

    @Test
    void noAccountOpensOnceCaptureStopped() {
        AccountSpaces spaces = spaces(this::engines, 5);
        spaces.space("default");
        spaces.stopCapture();
        assertThat(refusal(() -> spaces.space("acme"))).isEqualTo(ErrorCode.UNAVAILABLE);
        spaces.close();
        assertThat(spaces.open()).isEmpty();
    }
}
