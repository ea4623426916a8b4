package io.pulsebase.core.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.pulsebase.core.session.Subscription;
import io.pulsebase.core.session.SubscriptionsForTests;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelIndexTest {
    private final ChannelIndex index = new ChannelIndex();

    private static List<Subscription> list(ChannelIndex.Subscribers subscribers) {
        List<Subscription> all = new ArrayList<>();
        for (int i = 0; i < subscribers.size(); i++) {
            all.add(subscribers.get(i));
        }
        return all;
    }

    @Test
    void addsAndRemovesPerChannel() {
        Subscription a = SubscriptionsForTests.channel("x/1");
        Subscription b = SubscriptionsForTests.channel("x/1");
        Subscription c = SubscriptionsForTests.channel("x/2");
        index.add("x/1", a);
        index.add("x/1", b);
        index.add("x/2", c);

        assertThat(list(index.subscribers("x/1"))).containsExactly(a, b);
        assertThat(list(index.subscribers("x/2"))).containsExactly(c);
        index.remove("x/1", a);
        assertThat(list(index.subscribers("x/1"))).containsExactly(b);
        index.remove("x/1", b);
        assertThat(index.subscribers("x/1").size()).isZero();
        assertThat(index.channelCount()).isEqualTo(1);
    }

    @Test
    void aViewTakenEarlierStaysAsItWasWhileTheChannelChanges() {
        List<Subscription> subs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Subscription s = SubscriptionsForTests.channel("x/1");
            subs.add(s);
            index.add("x/1", s);
        }
        ChannelIndex.Subscribers before = index.subscribers("x/1");
        index.remove("x/1", subs.get(0));
        index.add("x/1", SubscriptionsForTests.channel("x/1"));
        index.add("x/1", SubscriptionsForTests.channel("x/1"));

        assertThat(list(before)).containsExactlyElementsOf(subs);
        assertThat(list(index.subscribers("x/1"))).hasSize(101).doesNotContain(subs.get(0))
                .containsAll(subs.subList(1, 100));
    }
}
