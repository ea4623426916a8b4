package io.pulsebase.testkit.contract;

import io.pulsebase.core.broker.Broker;
import io.pulsebase.core.broker.MemoryBroker;

class MemoryBrokerContractTest extends BrokerContract {
    @Override
    protected Broker newBroker() {
        return new MemoryBroker();
    }
}
