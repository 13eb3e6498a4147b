package vigil.daemon.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The commands other modules implement: the scheduler tools (ha-engine), the commit benchmark (ha-raft), DRBD
 * split-brain resolution (ha-storage), and the lab's demo, chaos runs and failover benchmark (samples/ha-lab). Each
 * declares its module's options for help and completion; the module parses them (see {@link DelegatedCommand}).
 */
public final class ToolCommands {
    private ToolCommands() {}

    @Command(name = "demo", description = "Start a local 3-node cluster, kill the node running the service, and show fencing and failover.")
    public static final class Demo extends DelegatedCommand {
        Demo() { super("vigil.lab.Demo"); }
    }

    @Command(name = "chaos", description = "Seeded, reproducible fault schedules (kill, pause, restart, network cuts) against a local cluster, checked "
            + "independently (deaths as the harness saw them, activity from the workload's own evidence, a set workload's writes and "
            + "reads); the last line is schedules=<n> violations=<n>.")
    public static final class Chaos extends DelegatedCommand {
        @Option(names = "--schedules", paramLabel = "N", description = "How many schedules (default 10).") String schedules;
        @Option(names = "--seed", paramLabel = "S", description = "Seed of the first schedule (default 1).") String seed;
        @Option(names = "--nodes", paramLabel = "N", description = "Cluster size: 3 (default) or 5; 2 runs two hosts in two-node mode.") String nodes;
        @Option(names = "--fencing", paramLabel = "device|watchdog", description = "device (default): a fence device that kills node "
                + "processes; watchdog: no fence device, every node's watchdog (an emulator process) resets it.") String fencing;
        @Option(names = "--plant", paramLabel = "lying-fence|no-stonith", description = "Make the cluster unsafe on purpose, to show "
                + "that the checker fails: a fence device that kills nothing, or stonith off.") String plant;

        Chaos() { super("vigil.lab.Chaos"); }
    }

    @Command(name = "simulate", description = "Pacemaker's CIB through Vigil's scheduler: the status and the transition summary in crm_simulate's format.")
    public static final class Simulate extends DelegatedCommand {
        @Option(names = {"-x", "--cib"}, required = true, paramLabel = "FILE", description = "The CIB (XML, e.g. from cibadmin -Q).") String cib;
        @Option(names = {"-s", "--show-scores"}, description = "Also print the allocation scores.") boolean scores;

        Simulate() { super("vigil.engine.simulate.SimulateCommand"); }
    }

    @Command(name = "simulate-compare", description = "How many CIBs of a corpus Vigil plans exactly as crm_simulate does (Pacemaker's scheduler "
            + "corpus with recorded summaries by default).")
    public static final class SimulateCompare extends DelegatedCommand {
        @Option(names = "--dir", paramLabel = "DIR", description = "A directory of CIB XML files (default: the committed corpus).") String dir;
        @Option(names = "--only", paramLabel = "NAME,...", description = "Only these inputs (file names without .xml).") String only;
        @Option(names = "--limit", paramLabel = "N", description = "At most N inputs.") String limit;
        @Option(names = {"-v", "--verbose"}, description = "Show every difference.") boolean verbose;
        @Option(names = "--live", description = "Run crm_simulate instead of reading the recorded summaries.") boolean live;
        @Option(names = "--record", description = "Run crm_simulate and record its summaries.") boolean record;
        @Option(names = "--update-floor", description = "Raise the agreement floor the build checks.") boolean updateFloor;

        SimulateCompare() { super("vigil.engine.simulate.CompareCommand"); }
    }

    @Command(name = "bench", description = "Benchmarks; each prints numbers and ends with one key=value line.",
            subcommands = {Bench.Commits.class, Bench.Failover.class, Bench.FalseFence.class, Bench.Scheduler.class, Bench.Idle.class})
    public static final class Bench {
        @Command(name = "commits", description = "3 local Raft processes, fsync on, many small config changes in flight, once with mutual TLS and once "
                + "in plaintext; the last line is commits_per_s=<n> p50_ms=<n> p99_ms=<n> plaintext_commits_per_s=<n>.")
        public static final class Commits extends DelegatedCommand {
            @Option(names = "--seconds", paramLabel = "N", description = "Measured seconds (default 20).") String seconds;
            @Option(names = "--warmup", paramLabel = "N", description = "Seconds before measuring (default 3).") String warmup;
            @Option(names = "--in-flight", paramLabel = "N", description = "Changes in flight (default 128).") String inFlight;
            @Option(names = "--resources", paramLabel = "N", description = "Resources the changes touch (default 8).") String resources;
            @Option(names = "--max-batch", paramLabel = "N", description = "Commands per log entry at most (default 2000).") String maxBatch;
            @Option(names = "--entries-in-flight", paramLabel = "N", description = "Log entries in flight (default 2).") String entriesInFlight;
            @Option(names = "--dir", paramLabel = "DIR", description = "Where the nodes keep their data (default: a temporary directory).") String dir;

            Commits() { super("vigil.raft.bench.CommitBench"); }
        }

        @Command(name = "failover", description = "SIGKILL of the node running the service (every other run also the leader), fence first, "
                + "until it runs elsewhere; the last line is runs=<n> node_timeout_ms=<n> recovery_p50_ms=<x> ... overhead_p99_ms=<x>.")
        public static final class Failover extends DelegatedCommand {
            @Option(names = "--runs", paramLabel = "N", description = "How many kills (default 20).") String runs;
            @Option(names = "--node-timeout-ms", paramLabel = "MS", description = "The cluster's node-timeout (default 1000).") String nodeTimeoutMs;

            Failover() { super("vigil.lab.FailoverBench"); }
        }

        @Command(name = "false-fence", description = "A 3-node cluster under a CPU hog on every core for N minutes, nothing killed: every fence is spurious; "
                + "the last line is minutes=<n> spurious_fences=<n> node_timeout_ms=<n>.")
        public static final class FalseFence extends DelegatedCommand {
            @Option(names = "--minutes", paramLabel = "N", description = "How long (default 10).") String minutes;
            @Option(names = "--node-timeout-ms", paramLabel = "MS", description = "The cluster's node-timeout (default: the node-timeout default, 1000).") String nodeTimeoutMs;

            FalseFence() { super("vigil.lab.FalseFenceBench"); }
        }

        @Command(name = "idle", description = "Three 'vigil daemon' processes with the launcher's defaults, idle; CPU per minute, resident memory and "
                + "threads of each node; the last line is the worst node's cpu_s_per_min=<x> rss_mib=<x> threads=<n>.")
        public static final class Idle extends DelegatedCommand {
            @Option(names = "--minutes", paramLabel = "N", description = "Measured minutes (default 5).") String minutes;
            @Option(names = "--warmup-s", paramLabel = "S", description = "Seconds after the cluster settled before measuring (default 60).") String warmup;
            @Option(names = "--threads", paramLabel = "TOP", description = "Also print each node's TOP busiest threads by name (default 0).") String threads;

            Idle() { super("vigil.lab.IdleBench"); }
        }

        @Command(name = "scheduler", description = "Vigil's scheduler against crm_simulate on generated CIBs of 1,000 and 10,000 resources.")
        public static final class Scheduler extends DelegatedCommand {
            @Option(names = "--launcher", paramLabel = "PATH", description = "The vigil launcher that runs Vigil's side (default: bin/vigil).") String launcher;
            @Option(names = "--sizes", paramLabel = "N,...", description = "Resource counts (default 1000,10000).") String sizes;
            @Option(names = "--nodes", paramLabel = "N", description = "Nodes in each CIB (default 100).") String nodes;
            @Option(names = "--dir", paramLabel = "DIR", description = "Where the generated CIBs go (default: a temporary directory).") String dir;

            Scheduler() { super("vigil.engine.simulate.SchedulerBenchCommand"); }
        }
    }

    @Command(name = "drbd", description = "DRBD tools.", subcommands = Drbd.Resolve.class)
    public static final class Drbd {
        @Command(name = "resolve", description = "Resolve a DRBD split brain: discard the changes of one node since the split and resync it from the others.")
        public static final class Resolve extends DelegatedCommand {
            @Option(names = "--discard", required = true, paramLabel = "NODE", description = "The node whose changes since the split are thrown away.") String discard;
            @Option(names = "--resource", paramLabel = "RES", description = "The DRBD resource (default: the only one in the config directory).") String resource;
            @Option(names = "--config-dir", paramLabel = "DIR", description = "Where the .res files are (default /etc/drbd.d).") String configDir;
            @Option(names = "--dry-run", description = "Only print the steps.") boolean dryRun;

            Resolve() { super("vigil.storage.DrbdCommand", true); }
        }
    }
}
