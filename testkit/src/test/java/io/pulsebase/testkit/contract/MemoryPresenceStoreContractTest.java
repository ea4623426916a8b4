package io.pulsebase.testkit.contract;

import io.pulsebase.core.presence.MemoryPresenceStore;
import io.pulsebase.core.presence.PresenceStore;

class MemoryPresenceStoreContractTest extends PresenceStoreContract {
    @Override
    protected PresenceStore newStore() {
        return new MemoryPresenceStore();
    }
}
