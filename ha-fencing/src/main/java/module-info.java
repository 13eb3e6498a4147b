/** STONITH adapters (ipmi, libvirt, apc-snmp, agent:fence_*, process), the fencing topology and the Linux watchdog. */
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
    provides vigil.api.spi.WatchdogProvider with vigil.fencing.watchdog.LinuxWatchdog.Provider;
    provides vigil.api.spi.FenceAgentProvider with
            vigil.fencing.ipmi.IpmiProvider,
            vigil.fencing.libvirt.LibvirtFenceAgent.Provider,
            vigil.fencing.apc.ApcSnmpFenceAgent.Provider,
            vigil.fencing.agent.FenceAgentRunner.Provider,
            vigil.fencing.process.ProcessFenceAgent.Provider;
}
