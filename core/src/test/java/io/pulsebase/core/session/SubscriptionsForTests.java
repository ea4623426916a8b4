package io.pulsebase.core.session;

import java.util.Set;

/** Subscriptions for tests of structures that only hold them (no session behind them: never deliver to one). */
public final class SubscriptionsForTests {
    private SubscriptionsForTests() {
    }

    public static Subscription channel(String topic) {
        return new Subscription(null, topic, 0, Set.of());
    }
}
