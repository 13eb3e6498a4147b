package vigil.kvm;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo.DomainState;
import org.libvirt.ErrorCallback;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import vigil.api.status.OcfCode;

/** One libvirt connection for the length of one operation, with the failures mapped to OCF codes. */
final class Hypervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Hypervisor.class);

    /** Errors of a define that mean the XML (not the host) is at fault. */
    private static final Set<ErrorNumber> CONFIG_ERRORS = EnumSet.of(ErrorNumber.VIR_ERR_XML_ERROR, ErrorNumber.VIR_ERR_XML_DETAIL,
            ErrorNumber.VIR_ERR_XML_INVALID_SCHEMA, ErrorNumber.VIR_ERR_CONFIG_UNSUPPORTED, ErrorNumber.VIR_ERR_NO_NAME,
            ErrorNumber.VIR_ERR_OS_TYPE, ErrorNumber.VIR_ERR_NO_OS, ErrorNumber.VIR_ERR_INVALID_ARG, ErrorNumber.VIR_ERR_OPERATION_FAILED,
            ErrorNumber.VIR_ERR_DOM_EXIST, ErrorNumber.VIR_ERR_NO_SUPPORT, ErrorNumber.VIR_ERR_OPERATION_UNSUPPORTED,
            ErrorNumber.VIR_ERR_NO_DEVICE, ErrorNumber.VIR_ERR_NO_SOURCE, ErrorNumber.VIR_ERR_INVALID_MAC);

    /** libvirt prints every error to stderr unless an error function is set; the driver reports them itself. Strongly held for JNA. */
    private static final ErrorCallback QUIET = new ErrorCallback();
    private static volatile boolean quiet;

    private final String uri;
    private final Connect connect;

    private Hypervisor(String uri, Connect connect) {
        this.uri = uri;
        this.connect = connect;
    }

    /** Connects to {@code uri}; unreachable or unknown hypervisors are ERR_INSTALLED (this node cannot run the domain). */
    static Hypervisor open(String uri) {
        try {
            if (!quiet) {
                Connect.setErrorCallback(QUIET);
                quiet = true;
            }
            return new Hypervisor(uri, new Connect(uri));
        } catch (LibvirtException e) {
            throw new KvmFailure(OcfCode.ERR_INSTALLED, "libvirt at " + uri + " is unreachable: " + message(e)
                    + " (start libvirtd on this node, or fix the hypervisor parameter)", e);
        } catch (LinkageError e) {
            throw new KvmFailure(OcfCode.ERR_INSTALLED, "the libvirt client library cannot be loaded (" + e.getMessage()
                    + "); install libvirt0 (libvirt-libs) on this node", e);
        }
    }

    String uri() { return uri; }

    /** The domain named {@code name}, if defined (or running transiently) here. */
    Optional<Domain> lookup(String name) {
        try {
            return Optional.of(connect.domainLookupByName(name));
        } catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) return Optional.empty();
            throw failure(OcfCode.ERR_GENERIC, "cannot look up domain " + name, e);
        }
    }

    /** Defines (or redefines) the domain from its XML; XML libvirt rejects is ERR_CONFIGURED. */
    Domain define(DomainXml xml, String source) {
        try {
            return connect.domainDefineXML(xml.definableXml());
        } catch (LibvirtException e) {
            // a system error here is a file the XML names (emulator, firmware) missing on this node: other nodes may have it
            OcfCode c = CONFIG_ERRORS.contains(code(e)) ? OcfCode.ERR_CONFIGURED
                    : code(e) == ErrorNumber.VIR_ERR_SYSTEM_ERROR ? OcfCode.ERR_INSTALLED : OcfCode.ERR_GENERIC;
            throw failure(c, "cannot define domain " + xml.name() + " from " + source + " at " + uri, e);
        }
    }

    /** The domain's state; a domain that vanished (transient and stopped) reads as shut off. */
    static DomainState state(Domain d) {
        try {
            return d.getInfo().state;
        } catch (LibvirtException e) {
            if (code(e) == ErrorNumber.VIR_ERR_NO_DOMAIN) return DomainState.VIR_DOMAIN_SHUTOFF;
            throw failure(OcfCode.ERR_GENERIC, "cannot read the state of domain " + name(d), e);
        }
    }

    /** Whether the domain has a QEMU (or test) instance: everything but shut off. */
    static boolean active(DomainState s) { return s != DomainState.VIR_DOMAIN_SHUTOFF; }

    /** Cluster-managed domains must never be started by libvirtd itself when it (re)starts. */
    static void disableAutostart(Domain d) {
        try {
            if (d.getAutostart()) d.setAutostart(false);
        } catch (LibvirtException e) {
            if (code(e) != ErrorNumber.VIR_ERR_NO_SUPPORT && code(e) != ErrorNumber.VIR_ERR_OPERATION_INVALID) {
                throw failure(OcfCode.ERR_GENERIC, "cannot turn off autostart of domain " + name(d), e);
            }
        }
    }

    static String name(Domain d) {
        try {
            return d.getName();
        } catch (LibvirtException e) {
            return "?";
        }
    }

    static ErrorNumber code(LibvirtException e) {
        return e.getError() == null || e.getError().getCode() == null ? ErrorNumber.VIR_ERR_UNKNOWN : e.getError().getCode();
    }

    static String message(LibvirtException e) {
        String m = e.getError() == null ? e.getMessage() : e.getError().getMessage();
        return m == null ? code(e).name() : m.strip();
    }

    static KvmFailure failure(OcfCode code, String what, LibvirtException e) {
        return new KvmFailure(code, what + ": " + message(e), e);
    }

    @Override
    public void close() {
        try {
            connect.close();
        } catch (LibvirtException e) {
            LOG.debug("closing {}: {}", uri, message(e));
        }
    }
}
