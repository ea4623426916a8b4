package io.pulsebase.transport;

import io.pulsebase.core.capture.ChangeSource;
import io.pulsebase.core.capture.CommitListener;

/** A {@link ChangeSource} that captures nothing; tests publish to the broker themselves. */
final class ManualChangeSource implements ChangeSource {
    volatile boolean running;

    @Override
    public void start(long after, CommitListener listener) {
        running = true;
    }

    @Override
    public void poke() {
    }

    @Override
    public boolean running() {
        return running;
    }

    @Override
    public long deliveredPosition() {
        return 0;
    }

    @Override
    public void close() {
        running = false;
    }
}
