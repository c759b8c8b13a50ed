package io.github.acppool.broker;

/** For benchmarks outside this package: how many warm agents a broker has waiting. Not part of the API. */
public final class WarmProbe {
    private WarmProbe() {}

    public static int ready(AcpBroker broker) {
        return ((DefaultAcpBroker) broker).warmAgentsReady();
    }
}
