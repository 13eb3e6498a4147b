/** STONITH adapters (ipmi, libvirt, apc-snmp, agent:fence_*, watchdog, process) and the fencing topology. */
module vigil.fencing {
    requires transitive vigil.api;
    requires org.slf4j;
    requires java.xml;
    requires libvirt;
    requires com.sun.jna;
    requires org.snmp4j;

    exports vigil.fencing;
    exports vigil.fencing.watchdog;

    uses vigil.api.spi.FenceAgentProvider;

    provides vigil.api.spi.NodeFencer with vigil.fencing.TopologyFencer;
    provides vigil.api.spi.FenceAgentProvider with
            vigil.fencing.ipmi.IpmiProvider,
            vigil.fencing.libvirt.LibvirtFenceAgent.Provider,
            vigil.fencing.apc.ApcSnmpFenceAgent.Provider,
            vigil.fencing.agent.FenceAgentRunner.Provider,
            vigil.fencing.watchdog.WatchdogFenceAgent.Provider,
            vigil.fencing.process.ProcessFenceAgent.Provider;
}
