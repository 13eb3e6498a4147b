package vigil.raft.runtime;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import vigil.api.ClusterUnavailableException;
import vigil.api.ConfigException;
import vigil.api.VigilException;
import vigil.api.model.Node;
import vigil.api.status.ClusterState;
import vigil.api.status.Membership;
import vigil.engine.state.Command;
import vigil.raft.CommandResult;
import vigil.raft.VigilNode;
import vigil.raft.admin.JoinTokens;
import vigil.raft.admin.NodeAdmin;
import vigil.raft.agent.AgentAddresses;
import vigil.raft.tls.ClusterCa;
import vigil.raft.tls.NodeTls;
import vigil.raft.tls.PeerIdentity;

/**
 * Membership and certificates of one node's cluster, as the admin API drives them: join tokens, enrolling a new host
 * (its certificate, signed by the CA key every member keeps in its PKI directory), admitting it (config, then a Raft
 * voter once the leader caught it up), removing a member with the checks that keep the cluster safe, rotating this node's
 * certificate.
 */
final class ClusterMembership implements NodeAdmin {
    private static final Logger LOG = LoggerFactory.getLogger("vigil.membership");
    private static final Duration MAX_TOKEN_TTL = Duration.ofHours(24);
    /** How long a join waits for a cluster that was just started to list its own members in its config. */
    static final Duration MEMBERS_LISTED_WAIT = Duration.ofSeconds(20);

    private final VigilNode raft;
    private final NodeTls tls;
    private final String adminToken;
    private final Duration membersListedWait;
    private final JoinTokens tokens = new JoinTokens(InstantSource.system());
    private volatile TwoNodeGuard twoNode;

    ClusterMembership(VigilNode raft, NodeTls tls, String adminToken) { this(raft, tls, adminToken, MEMBERS_LISTED_WAIT); }

    ClusterMembership(VigilNode raft, NodeTls tls, String adminToken, Duration membersListedWait) {
        this.raft = raft;
        this.tls = tls;
        this.adminToken = adminToken;
        this.membersListedWait = membersListedWait;
    }

    @Override
    public String nodeId() { return raft.id(); }

    @Override
    public boolean insecure() { return tls == null; }

    @Override
    public Instant certificateExpires() { return tls == null ? null : tls.notAfter(); }

    @Override
    public List<String> voters() {
        try {
            return raft.members();
        } catch (ClusterUnavailableException e) {
            return List.of(); // this node's replica is not running (it reports itself degraded): it knows no voters
        }
    }

    private ClusterCa ca() {
        Path dir = tls == null ? null : tls.directory();
        if (dir == null || !ClusterCa.existsIn(dir)) {
            throw new VigilException(raft.id() + " holds no cluster CA key" + (tls == null ? " (it runs insecure: joins and certificates need TLS)" : "")
                    + "; run this on a member set up by vigil init or join");
        }
        return ClusterCa.load(dir);
    }

    @Override
    public JoinTokens.Token createJoinToken(Duration ttl) {
        if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TOKEN_TTL) > 0) {
            throw new ConfigException("ttl", "must be between 1s and 24h, got " + ttl, "give e.g. --ttl 1h");
        }
        return tokens.create(ttl, ca().pin());
    }

    @Override
    public Enrolled join(String tokenId, String tokenSecret, Node node, byte[] csr) {
        ClusterCa ca = ca();
        ClusterState s = stateListingEveryVoter();
        if (s.config().node(node.id()).isPresent() || raft.members().stream().anyMatch(m -> m.startsWith(node.id() + "="))) {
            throw new ConfigException("node", "a node \"" + node.id() + "\" is already a member", "pick another --node id, or remove that node first (vigil node remove " + node.id() + ")");
        }
        for (Node m : s.config().nodes()) {
            if (m.address().equals(node.address())) {
                throw new ConfigException("raft", "address " + node.address() + " is already used by node " + m.id(), "give this host its own --raft address");
            }
        }
        java.security.PublicKey key = ClusterCa.requestKey(csr);
        tokens.consume(tokenId, tokenSecret);
        var chain = ca.sign(PeerIdentity.node(node.id()), key, hosts(node), ClusterCa.CERT_LIFETIME);
        String chainPem = ClusterCa.pem(List.of(chain, ca.certificate()));
        LOG.info("{}: enrolled with token {}: certificate issued until {}; it becomes a member when its daemon starts", node.id(), tokenId,
                chain.getNotAfter().toInstant());
        return new Enrolled(raft.clusterName(), raft.clusterId().toString(), ca.certificatePem(), chainPem, ca.keyPem(), adminToken == null ? "" : adminToken,
                s.config().nodes(), s.config().properties().nodeTimeout());
    }

    /**
     * The cluster state once its config lists every Raft voter. The members a join returns are the only ones the new
     * host knows to ask for its admission, and a cluster that was just started commits its own members (the bootstrap
     * config) only moments after its daemon runs: a host enrolled in that moment was told of no member, so nobody ever
     * admitted it. Fails (before the token is used, so it stays valid) if the config still lacks a voter after the wait.
     */
    private ClusterState stateListingEveryVoter() {
        long end = System.nanoTime() + membersListedWait.toNanos();
        while (true) {
            ClusterState s = raft.readLinearizable();
            List<String> unlisted = new ArrayList<>();
            for (String m : raft.members()) {
                String id = m.substring(0, m.indexOf('='));
                if (s.config().node(id).isEmpty()) unlisted.add(id);
            }
            if (unlisted.isEmpty()) return s;
            if (System.nanoTime() > end) {
                throw new ClusterUnavailableException("the cluster is still starting: its config does not list its member(s) " + unlisted
                        + " yet; nothing changed and the token stays valid: try again in a few seconds");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ClusterUnavailableException("interrupted", e);
            }
        }
    }

    /** The hosts a node's certificate must name: those of its Raft and API addresses. */
    static Set<String> hosts(Node n) {
        Set<String> out = new LinkedHashSet<>();
        out.add(n.address().substring(0, n.address().lastIndexOf(':')));
        String api = AgentAddresses.of(n);
        out.add(api.substring(0, api.lastIndexOf(':')));
        return out;
    }

    @Override
    public void addMember(Node node) {
        ClusterState s = raft.readLinearizable();
        Node existing = s.config().node(node.id()).orElse(null);
        if (existing != null && !existing.address().equals(node.address())) {
            throw new ConfigException("node", "node " + node.id() + " is a member at " + existing.address() + ", not at " + node.address(),
                    "remove it first (vigil node remove " + node.id() + ")");
        }
        if (!raft.isVoter(node.id())) {
            LOG.info("{}: admitting: the leader catches it up, then it votes", node.id());
            raft.addMember(node);
        }
        LOG.info("{}: member (voter) at {}", node.id(), node.address());
    }

    void twoNode(TwoNodeGuard guard) { twoNode = guard; }

    @Override
    public void confirmPeerDown(String node) {
        TwoNodeGuard g = twoNode;
        if (g == null) throw new VigilException("this node is still starting; try again");
        g.confirmPeerDown(node);
    }

    @Override
    public void removeMember(String id) {
        ClusterState s = raft.readLinearizable();
        if (s.config().node(id).isEmpty() && !raft.isVoter(id)) {
            throw new ConfigException("node", "unknown node \"" + id + "\"", "use one of " + s.config().nodes().stream().map(Node::id).toList());
        }
        List<String> running = new ArrayList<>();
        s.resources().forEach((r, perNode) -> {
            var st = perNode.get(id);
            if (st != null && st.isActive()) running.add(r);
        });
        var ns = s.node(id);
        if (!running.isEmpty()) {
            throw new VigilException(id + " still runs " + running + " (" + ns.membership().name().toLowerCase(java.util.Locale.ROOT)
                    + "): move them away first (vigil node standby " + id + "), or wait until it is fenced or stopped; nothing changed");
        }
        List<String> voters = new ArrayList<>();
        for (String m : raft.members()) voters.add(m.substring(0, m.indexOf('=')));
        if (voters.contains(id)) {
            List<String> rest = new ArrayList<>(voters);
            rest.remove(id);
            if (rest.isEmpty()) throw new VigilException(id + " is the last voter: a cluster cannot remove its last member");
            long online = rest.stream().filter(v -> s.node(v).membership() == Membership.ONLINE).count();
            if (online * 2 <= rest.size()) {
                throw new VigilException("removing " + id + " would leave " + rest.size() + " voters of which only " + online
                        + " are online: no majority; bring members back first; nothing changed");
            }
        }
        if (s.config().node(id).isPresent()) commit(new Command.RemoveNode(id));
        if (voters.contains(id) || raft.listeners().contains(id)) raft.removeMember(id);
        LOG.info("{}: removed from the cluster; its certificate is refused from now on", id);
    }

    @Override
    public Instant rotateCertificate() {
        ClusterCa ca = ca();
        Node self = raft.readLinearizable().config().node(raft.id()).orElse(null);
        Set<String> hosts = self != null ? hosts(self) : tlsHosts();
        NodeTls fresh = ca.issueNode(raft.id(), hosts);
        fresh.save(tls.directory());
        ca.save(tls.directory());
        tls.reload();
        LOG.info("{}: certificate rotated: new key, valid until {}; new connections use it", raft.id(), tls.notAfter());
        return tls.notAfter();
    }

    private Set<String> tlsHosts() {
        Set<String> out = new LinkedHashSet<>();
        try {
            var names = tls.certificate().getSubjectAlternativeNames();
            if (names != null) for (List<?> n : names) if (n.get(0).equals(2) || n.get(0).equals(7)) out.add((String) n.get(1));
        } catch (java.security.cert.CertificateParsingException e) {
            // no hosts: the certificate is then only good for its identity
        }
        return out;
    }

    private void commit(Command c) {
        try {
            CommandResult r = raft.submit(List.of(c)).get(30, TimeUnit.SECONDS).get(0);
            r.orThrow();
        } catch (ExecutionException | TimeoutException e) {
            throw new ClusterUnavailableException(raft.id() + ": cannot commit " + c.getClass().getSimpleName() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClusterUnavailableException("interrupted", e);
        }
    }
}
