/** The kvm resource type: libvirt domains run by the cluster, with peer-to-peer live migration. */
module vigil.kvm {
    requires transitive vigil.api;
    requires org.slf4j;
    requires java.xml;
    requires libvirt;
    requires com.sun.jna;

    exports vigil.kvm;

    provides vigil.api.spi.ResourceDriverProvider with vigil.kvm.KvmDriverProvider;
}
