package vigil.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * One emulated BMC: OpenIPMI's {@code ipmi_sim} on 127.0.0.1 (or a given address) and a free UDP port, with IPMI 2.0 lanplus and one
 * admin user, whose chassis power is a file ({@code 1} on, {@code 0} off) that {@link #powerOn()} reads. Set up as in
 * TESTBED.md (mc_setbmc and a guid are required). {@link #close()} stops it.
 */
public final class IpmiSimLab implements AutoCloseable {
    public static final String HOST = UdpPorts.HOST;

    private final Peer peer;
    private final String host;
    private final int port;
    private final Path powerFile;

    private IpmiSimLab(Peer peer, String host, int port, Path powerFile) {
        this.peer = peer;
        this.host = host;
        this.port = port;
        this.powerFile = powerFile;
    }

    public static boolean installed() { return Peer.installed("ipmi_sim") && Peer.installed("ipmitool"); }

    /** Starts BMC {@code name} (letters and digits) in {@code dir} with user {@code username} / {@code password}, power on. */
    public static IpmiSimLab start(Path dir, String name, String username, String password) { return start(dir, name, username, password, HOST); }

    /**
     * As {@link #start(Path, String, String, String)}, listening on {@code host}: an address of this machine that the
     * fencing nodes reach (for nodes in their own network namespaces, the host side of their network).
     */
    public static IpmiSimLab start(Path dir, String name, String username, String password, String host) {
        try {
            Path state = Files.createDirectories(dir.resolve("ipmi-state"));
            Path chassis = dir.resolve("chassis.sh");
            if (!Files.exists(chassis)) {
                Files.writeString(chassis, String.join("\n",
                        "#!/bin/sh",
                        "f=$1; [ -f \"$f\" ] || echo 1 > \"$f\"",
                        "case $2 in",
                        "  get) echo \"power:$(cat \"$f\")\" ;;",
                        "  set) [ \"$3\" = power ] && echo \"$4\" > \"$f\" ;;",
                        "esac", ""));
                Files.setPosixFilePermissions(chassis, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            Path emu = dir.resolve("sim.emu");
            if (!Files.exists(emu)) {
                Files.writeString(emu, "mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nmc_enable 0x20\n");
            }
            Path power = dir.resolve(name + ".power");
            Files.writeString(power, "1\n");
            String guid = String.format("%032x", (long) name.hashCode() & 0xffffffffL | 0x1000000000L);
            Path conf = dir.resolve(name + ".conf");
            UdpPorts.Listening l = UdpPorts.start("ipmi_sim " + name, host, port -> {
                Files.writeString(conf, String.join("\n",
                        "name \"" + name + "\"",
                        "startlan 1",
                        "  addr " + host + " " + port,
                        "  priv_limit admin",
                        "  allowed_auths_admin none md2 md5 straight",
                        "  guid " + guid,
                        "endlan",
                        "chassis_control \"" + chassis + " " + power + "\"",
                        "user 2 true \"" + username + "\" \"" + password + "\" admin 10 none md2 md5 straight", ""));
                return Peer.start("ipmi_sim-" + name, dir, List.of("ipmi_sim", "-c", conf.toString(), "-f", emu.toString(), "-n", "-s", state.toString()));
            });
            return new IpmiSimLab(l.peer(), host, l.port(), power);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String host() { return host; }

    public int port() { return port; }

    /** The simulated chassis power as the BMC last set it. */
    public boolean powerOn() {
        try {
            return !Files.readString(powerFile).trim().equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void setPower(boolean on) {
        try {
            Files.writeString(powerFile, on ? "1\n" : "0\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() { peer.close(); }
}
