package vigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * An APC rack PDU as net-snmp's {@code snmpd} with a {@code pass} script emulating the PowerNet-MIB rPDU outlet
 * table (outlets 1-8, named outlet1..outlet8), as in TESTBED.md, on 127.0.0.1 and a free UDP port. SNMP v1/v2c with
 * community {@link #COMMUNITY}; SNMP v3 user {@link #V3_USER} (SHA / AES, passphrases {@link #V3_AUTH} and
 * {@link #V3_PRIV}). {@link #outletOn(int)} reads an outlet's state.
 */
public final class SnmpApcLab implements AutoCloseable {
    public static final String HOST = UdpPorts.HOST;
    public static final String COMMUNITY = "pdu-rw-community";
    public static final String V3_USER = "vigil";
    public static final String V3_AUTH = "auth-pass-phrase-1";
    public static final String V3_PRIV = "priv-pass-phrase-2";

    private static final String PASS = String.join("\n",
            "#!/usr/bin/python3",
            "# snmpd pass: APC rPDU outlets 1-8 (control 3.3.1.1.4.N, name 5.1.1.2.N, state 5.1.1.4.N)",
            "import os, sys",
            "P = \".1.3.6.1.4.1.318.1.1.12.3.\"",
            "S = os.path.dirname(os.path.abspath(__file__)) + \"/outlet%d\"",
            "R = [(P + c + \".%d\" % n, c, n) for c in (\"3.1.1.4\", \"5.1.1.2\", \"5.1.1.4\") for n in range(1, 9)]",
            "k = lambda o: [int(x) for x in o.strip(\".\").split(\".\")]",
            "op, oid = sys.argv[1:3]",
            "me = [r for r in R if (k(r[0]) > k(oid) if op == \"-n\" else r[0] == oid)][:1]",
            "if op == \"-s\":  # 1 on, 2 off, 3 reboot",
            "    if me and me[0][1] == \"3.1.1.4\": open(S % me[0][2], \"w\").write(\"2\" if sys.argv[4] == \"2\" else \"1\")",
            "    else: print(\"not-writable\")",
            "elif me:",
            "    o, c, n = me[0]",
            "    st = open(S % n).read() if os.path.exists(S % n) else \"1\"  # 1 on, 2 off",
            "    print(o, *((\"string\", \"outlet%d\" % n) if c == \"5.1.1.2\" else (\"integer\", st)), sep=\"\\n\")",
            "");

    private final Peer peer;
    private final int port;
    private final Path dir;

    private SnmpApcLab(Peer peer, int port, Path dir) {
        this.peer = peer;
        this.port = port;
        this.dir = dir;
    }

    public static boolean installed() { return Peer.installed("snmpd") && Peer.installed("/usr/bin/python3"); }

    /** Starts the PDU with every outlet on, in its own subdirectory {@code name} of {@code labDir}. */
    public static SnmpApcLab start(Path labDir, String name) {
        try {
            Path dir = Files.createDirectories(labDir.resolve(name));
            Path pass = dir.resolve("apc.py");
            Files.writeString(pass, PASS);
            Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path conf = dir.resolve("snmpd.conf");
            Path persist = Files.createDirectories(dir.resolve("persist"));
            UdpPorts.Listening l = UdpPorts.start("snmpd " + name, port -> {
                Files.writeString(conf, String.join("\n",
                        "agentAddress udp:" + HOST + ":" + port,
                        "rwcommunity " + COMMUNITY + " " + HOST,
                        "createUser " + V3_USER + " SHA \"" + V3_AUTH + "\" AES \"" + V3_PRIV + "\"",
                        "rwuser " + V3_USER + " priv",
                        "sysObjectID .1.3.6.1.4.1.318.1.3.4.5",
                        "pass .1.3.6.1.4.1.318.1.1.12 " + pass, ""));
                return Peer.start("snmpd-" + name, dir, List.of("env", "MIBS=", "SNMP_PERSISTENT_DIR=" + persist, "snmpd", "-f", "-C",
                        "-c", conf.toString(), "-Lo", "-p", dir.resolve("snmpd.pid").toString()));
            });
            return new SnmpApcLab(l.peer(), l.port(), dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() { return HOST; }

    public int port() { return port; }

    /** Whether outlet {@code n} (1-8) is on. */
    public boolean outletOn(int n) {
        Path f = dir.resolve("outlet" + n);
        try {
            return !Files.exists(f) || !Files.readString(f).trim().equals("2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void setOutlet(int n, boolean on) {
        try {
            Files.writeString(dir.resolve("outlet" + n), on ? "1" : "2");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() { peer.close(); }
}
