package vigil.fencing.apc;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.event.Level;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.SNMP4JSettings;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.MPv1;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthMD5;
import org.snmp4j.security.AuthSHA;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.PrivDES;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import vigil.api.ConfigException;
import vigil.api.model.FenceDevice;
import vigil.api.model.Secrets;
import vigil.api.spi.FenceAgent;
import vigil.api.spi.FenceAgentProvider;
import vigil.api.spi.FenceRequest;
import vigil.api.spi.FenceResult;
import vigil.fencing.DeviceParams;
import vigil.fencing.log.ScrubbingLogger;

/**
 * Type {@code apc-snmp}: outlets of an APC rack PDU through PowerNet-MIB's rPDU outlet table (the OIDs fence_apc_snmp
 * uses for sysObjectID .1.3.6.1.4.1.318.1.3.4.5), SNMP v1, v2c or v3. The host map gives each node its outlet
 * (number or outlet name). Off sets rPDUOutletControlOutletCommand to immediateOff and returns
 * {@link FenceResult.Off} only once rPDUOutletStatusOutletState reads off.
 *
 * <p>Parameters: {@code ip}, {@code ipport} (161), {@code snmp_version} (1 | 2c | 3; default 1), {@code community}
 * (or {@code community_file} / {@code community_env}; default private), for v3 {@code username}, {@code auth_protocol}
 * (MD5 | SHA), {@code password} (or _file / _env), {@code priv_protocol} (DES | AES), {@code priv_password}
 * (or _file / _env), and {@code snmp_timeout} (1s per try), {@code retries} (1), {@code power_wait} (300ms).
 */
public final class ApcSnmpFenceAgent implements FenceAgent {
    private static final ScrubbingLogger LOG = ScrubbingLogger.of(ApcSnmpFenceAgent.class);
    static final OID CONTROL = new OID("1.3.6.1.4.1.318.1.1.12.3.3.1.1.4");
    static final OID NAME = new OID("1.3.6.1.4.1.318.1.1.12.3.5.1.1.2");
    static final OID STATE = new OID("1.3.6.1.4.1.318.1.1.12.3.5.1.1.4");
    static final OID SYS_OBJECT_ID = new OID("1.3.6.1.2.1.1.2.0");
    static final int CMD_ON = 1;
    static final int CMD_OFF = 2;

    private final String id;
    private final String where;
    private final Settings s;
    private final Map<String, String> secrets;
    private Snmp snmp;

    record Settings(String ip, int port, int version, String community, String user, String authProtocol, String authPassword,
                    String privProtocol, String privPassword, Duration tryTimeout, int retries, Duration pollInterval) {}

    ApcSnmpFenceAgent(String id, Settings s) {
        this.id = id;
        this.s = s;
        this.where = s.ip() + ":" + s.port();
        Map<String, String> m = new TreeMap<>();
        if (s.community() != null) m.put("community", s.community());
        if (s.authPassword() != null) m.put("password", s.authPassword());
        if (s.privPassword() != null) m.put("priv_password", s.privPassword());
        this.secrets = m;
    }

    public static final class Provider implements FenceAgentProvider {
        @Override
        public boolean supports(String type) { return "apc-snmp".equals(type) || "apc".equals(type); }

        @Override
        public List<String> types() { return List.of("apc-snmp"); }

        @Override
        public FenceAgent create(FenceDevice device) { return ApcSnmpFenceAgent.create(device); }
    }

    static ApcSnmpFenceAgent create(FenceDevice device) {
        DeviceParams p = new DeviceParams(device);
        String v = p.get("snmp_version", "1").toLowerCase(Locale.ROOT);
        int version;
        switch (v) {
            case "1": version = SnmpConstants.version1; break;
            case "2c": case "2": version = SnmpConstants.version2c; break;
            case "3": version = SnmpConstants.version3; break;
            default: throw new ConfigException(p.field("snmp_version"), "unknown SNMP version \"" + v + "\"", "use 1, 2c or 3");
        }
        String community = null, user = null, auth = null, authPw = null, priv = null, privPw = null;
        if (version == SnmpConstants.version3) {
            user = p.required("username", "set username to the PDU's SNMPv3 user");
            authPw = p.secret("password").orElse(null);
            privPw = p.secret("priv_password").orElse(null);
            auth = p.get("auth_protocol", "SHA").toUpperCase(Locale.ROOT);
            if (!auth.equals("SHA") && !auth.equals("MD5")) throw new ConfigException(p.field("auth_protocol"), "unknown \"" + auth + "\"", "use SHA or MD5");
            priv = p.get("priv_protocol", "AES").toUpperCase(Locale.ROOT);
            if (!priv.equals("AES") && !priv.equals("DES")) throw new ConfigException(p.field("priv_protocol"), "unknown \"" + priv + "\"", "use AES or DES");
            if (privPw != null && authPw == null) {
                throw new ConfigException(p.field("password"), "missing while priv_password is set", "SNMPv3 privacy needs authentication: set password");
            }
            for (String pw : new String[] {authPw, privPw}) {
                if (pw != null && pw.length() < 8) throw new ConfigException(p.field(pw == authPw ? "password" : "priv_password"),
                        "shorter than 8 characters", "SNMPv3 pass phrases have at least 8 characters");
            }
        } else {
            community = p.secret("community").orElse("private");
        }
        Settings s = new Settings(p.required("ip", "set ip to the PDU's address"), p.integer("ipport", 161, 1, 65535), version, community,
                user, auth, authPw, priv, privPw, p.duration("snmp_timeout", Duration.ofSeconds(1)), p.integer("retries", 1, 0, 10),
                p.duration("power_wait", Duration.ofMillis(300)));
        for (var e : device.hostMap().entrySet()) {
            if (e.getValue().isBlank()) throw new ConfigException("fence-devices." + device.id() + ".host-map." + e.getKey(), "empty outlet", "give the outlet number or name");
        }
        return new ApcSnmpFenceAgent(device.id(), s);
    }

    @Override
    public FenceResult off(FenceRequest request) { return logged(request, "off", switchOutlet(request, false, deadline(request.timeout()))); }

    @Override
    public FenceResult on(FenceRequest request) { return logged(request, "on", switchOutlet(request, true, deadline(request.timeout()))); }

    @Override
    public FenceResult reboot(FenceRequest request) {
        long deadline = deadline(request.timeout());
        FenceResult off = switchOutlet(request, false, deadline);
        if (!(off instanceof FenceResult.Off)) return logged(request, "reboot", off);
        FenceResult on = switchOutlet(request, true, deadline);
        return logged(request, "reboot", on instanceof FenceResult.On ? new FenceResult.Off(off.detail() + "; powered on again")
                : new FenceResult.Off(off.detail() + "; powering on again failed: " + on.detail()));
    }

    @Override
    public FenceResult status(FenceRequest request) {
        long deadline = deadline(request.timeout());
        try {
            int outlet = outlet(request.plug(), deadline);
            int st = readState(outlet, deadline);
            return st == 1 ? new FenceResult.On(id + ": " + request.node() + " (outlet " + outlet + ") is on")
                    : new FenceResult.Off(id + ": " + request.node() + " (outlet " + outlet + ") is off");
        } catch (SnmpFailure e) {
            return new FenceResult.Failed(scrub(id + ": status of " + request.node() + " failed: " + e.getMessage()));
        }
    }

    @Override
    public List<String> list(Duration timeout) {
        long deadline = deadline(timeout);
        try {
            List<String> out = new ArrayList<>();
            for (var e : names(deadline).entrySet()) out.add(Integer.toString(e.getKey()));
            return out;
        } catch (SnmpFailure e) {
            throw new IllegalStateException(scrub(id + ": list failed: " + e.getMessage()));
        }
    }

    @Override
    public FenceResult monitor(Duration timeout) {
        try {
            Variable v = get(SYS_OBJECT_ID, deadline(timeout));
            return new FenceResult.On(id + ": PDU " + where + " answers, sysObjectID " + v);
        } catch (SnmpFailure e) {
            return new FenceResult.Failed(scrub(id + ": monitor failed: " + e.getMessage()));
        }
    }

    @Override
    public synchronized void close() {
        if (snmp != null) {
            try {
                snmp.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, secrets, "{}: closing the SNMP session: {}", id, e);
            }
            snmp = null;
        }
    }

    private FenceResult switchOutlet(FenceRequest request, boolean on, long deadline) {
        String action = on ? "on" : "off";
        try {
            int outlet = outlet(request.plug(), deadline);
            int st = readState(outlet, deadline);
            if (st != (on ? 1 : 2)) set(CONTROL, outlet, on ? CMD_ON : CMD_OFF, deadline);
            while (true) {
                st = readState(outlet, deadline);
                if (st == (on ? 1 : 2)) {
                    String d = id + ": " + request.node() + " (outlet " + outlet + ") confirmed " + action + " by the PDU";
                    return on ? new FenceResult.On(d) : new FenceResult.Off(d);
                }
                if (System.nanoTime() + s.pollInterval().toNanos() > deadline) {
                    throw new SnmpFailure("outlet " + outlet + " still reads " + (on ? "off" : "on") + " after " + request.timeout().toMillis() + " ms");
                }
                Thread.sleep(s.pollInterval().toMillis());
            }
        } catch (SnmpFailure e) {
            return new FenceResult.Failed(scrub(id + ": " + action + " of " + request.node() + " failed: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new FenceResult.Failed(id + ": " + action + " of " + request.node() + " interrupted");
        }
    }

    private int outlet(String plug, long deadline) throws SnmpFailure {
        try {
            int n = Integer.parseInt(plug.trim());
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // an outlet name: look it up below
        }
        for (var e : names(deadline).entrySet()) if (e.getValue().equals(plug)) return e.getKey();
        throw new SnmpFailure("the PDU has no outlet named \"" + plug + "\" (map the node to an outlet number or one of the names in list)");
    }

    private int readState(int outlet, long deadline) throws SnmpFailure {
        Variable v = get(new OID(STATE).append(outlet), deadline);
        int st = v.toInt();
        if (st != 1 && st != 2) throw new SnmpFailure("outlet " + outlet + " reports unexpected state " + v + " (1 on, 2 off)");
        return st;
    }

    private java.util.SortedMap<Integer, String> names(long deadline) throws SnmpFailure {
        java.util.SortedMap<Integer, String> out = new java.util.TreeMap<>();
        OID at = NAME;
        while (true) {
            VariableBinding vb = request(PDU.GETNEXT, new VariableBinding(at), deadline, "walk outlet names");
            if (vb.getVariable().isException() || !vb.getOid().startsWith(NAME) || vb.getOid().size() != NAME.size() + 1) return out;
            out.put(vb.getOid().last(), vb.getVariable().toString());
            at = vb.getOid();
        }
    }

    private Variable get(OID oid, long deadline) throws SnmpFailure {
        VariableBinding vb = request(PDU.GET, new VariableBinding(oid), deadline, "read " + oid);
        if (vb.getVariable().isException()) {
            throw new SnmpFailure("the PDU has no " + oid + " (" + vb.getVariable() + "): wrong outlet number, or not an APC rPDU");
        }
        return vb.getVariable();
    }

    private void set(OID column, int outlet, int command, long deadline) throws SnmpFailure {
        request(PDU.SET, new VariableBinding(new OID(column).append(outlet), new Integer32(command)), deadline,
                "set outlet " + outlet + " to " + (command == CMD_OFF ? "immediateOff" : "immediateOn"));
    }

    private VariableBinding request(int type, VariableBinding vb, long deadline, String what) throws SnmpFailure {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) throw new SnmpFailure("timed out before it could " + what);
        PDU pdu = s.version() == SnmpConstants.version3 ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        pdu.add(vb);
        Target<UdpAddress> target = target(Duration.ofNanos(remaining));
        ResponseEvent<UdpAddress> ev;
        try {
            ev = session().send(pdu, target);
        } catch (IOException e) {
            throw new SnmpFailure("cannot send to " + where + ": " + e.getMessage());
        }
        PDU resp = ev.getResponse();
        if (resp == null) {
            String creds = s.version() == SnmpConstants.version3 ? "user and pass phrases" : "community";
            throw new SnmpFailure("no answer from PDU " + where + " to " + what + " within " + (target.getTimeout() * (target.getRetries() + 1))
                    + " ms (check ip, ipport, snmp_version and the " + creds + ": agents drop requests with a wrong community silently)");
        }
        if (resp.getType() == PDU.REPORT) {
            String oid = resp.size() > 0 ? resp.get(0).getOid().toDottedString() : "";
            if (oid.startsWith(SnmpConstants.usmStatsWrongDigests.toDottedString()) || oid.startsWith(SnmpConstants.usmStatsDecryptionErrors.toDottedString())) {
                throw new SnmpFailure("PDU " + where + " rejected the SNMPv3 pass phrases of user \"" + s.user() + "\" (check password / priv_password)");
            }
            if (oid.startsWith(SnmpConstants.usmStatsUnknownUserNames.toDottedString())) {
                throw new SnmpFailure("PDU " + where + " does not know SNMPv3 user \"" + s.user() + "\" (check username)");
            }
            if (oid.startsWith(SnmpConstants.usmStatsUnsupportedSecLevels.toDottedString())) {
                throw new SnmpFailure("PDU " + where + " does not accept this security level for \"" + s.user() + "\" (check password / priv_password)");
            }
            throw new SnmpFailure("PDU " + where + " answered a report " + oid + " to " + what);
        }
        if (resp.getErrorStatus() == PDU.noSuchName && type != PDU.SET) {
            throw new SnmpFailure("the PDU has no " + vb.getOid() + " (noSuchName): wrong outlet number, or not an APC rPDU");
        }
        if (resp.getErrorStatus() != PDU.noError) {
            String hint = type == PDU.SET ? " (the community or user may be read-only: use a read-write one)" : "";
            throw new SnmpFailure("PDU " + where + " refused to " + what + ": " + resp.getErrorStatusText() + hint);
        }
        if (resp.size() == 0) throw new SnmpFailure("PDU " + where + " sent an empty answer to " + what);
        return resp.get(0);
    }

    private Target<UdpAddress> target(Duration remaining) {
        UdpAddress addr = new UdpAddress(s.ip() + "/" + s.port());
        long tryMs = Math.max(50, Math.min(s.tryTimeout().toMillis(), remaining.toMillis() / (s.retries() + 1)));
        Target<UdpAddress> t;
        if (s.version() == SnmpConstants.version3) {
            UserTarget<UdpAddress> u = new UserTarget<>();
            u.setSecurityName(new OctetString(s.user()));
            u.setSecurityLevel(s.privPassword() != null ? SecurityLevel.AUTH_PRIV : s.authPassword() != null ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.NOAUTH_NOPRIV);
            t = u;
        } else {
            t = new CommunityTarget<>(addr, new OctetString(s.community()));
        }
        t.setAddress(addr);
        t.setVersion(s.version());
        t.setTimeout(tryMs);
        t.setRetries(s.retries());
        return t;
    }

    private synchronized Snmp session() throws IOException {
        if (snmp != null) return snmp;
        MessageDispatcherImpl md = new MessageDispatcherImpl();
        md.addMessageProcessingModel(new MPv1());
        md.addMessageProcessingModel(new MPv2c());
        if (s.version() == SnmpConstants.version3) {
            // SNMP4J 3 leaves MD5 and SHA-1 out of its defaults; PDUs in the field still use them
            SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.maxCompatibility);
            USM usm = new USM(protocols, new OctetString(MPv3.createLocalEngineID()), 0);
            usm.addUser(new UsmUser(new OctetString(s.user()),
                    s.authPassword() == null ? null : s.authProtocol().equals("MD5") ? AuthMD5.ID : AuthSHA.ID,
                    s.authPassword() == null ? null : new OctetString(s.authPassword()),
                    s.privPassword() == null ? null : s.privProtocol().equals("DES") ? PrivDES.ID : PrivAES128.ID,
                    s.privPassword() == null ? null : new OctetString(s.privPassword())));
            md.addMessageProcessingModel(new MPv3(usm));
            // accept the unauthenticated usmStatsWrongDigests report an agent sends for a wrong pass phrase, so the
            // failure can say so; a report only ever makes a request fail
            SNMP4JSettings.setReportSecurityLevelStrategy(SNMP4JSettings.ReportSecurityLevelStrategy.noAuthNoPrivIfNeeded);
        }
        Snmp session = new Snmp(md, new DefaultUdpTransportMapping());
        session.listen();
        snmp = session;
        return snmp;
    }

    private FenceResult logged(FenceRequest request, String action, FenceResult r) {
        LOG.log(r instanceof FenceResult.Failed ? Level.WARN : Level.INFO, secrets, "{}: apc-snmp {} via {} -> {}: {}", request.node(), action, id,
                r.getClass().getSimpleName(), r.detail());
        return r;
    }

    private String scrub(String text) { return Secrets.scrub(text, secrets); }

    private static long deadline(Duration timeout) { return System.nanoTime() + timeout.toNanos(); }

    private static final class SnmpFailure extends Exception {
        private static final long serialVersionUID = 1L;

        SnmpFailure(String message) { super(message, null, false, false); }
    }

}
