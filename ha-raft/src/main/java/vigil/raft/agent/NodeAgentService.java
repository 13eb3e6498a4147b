package vigil.raft.agent;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import vigil.engine.controller.NodeAgent;
import vigil.engine.controller.NodeTransport;
import vigil.raft.agent.proto.ActionReply;
import vigil.raft.agent.proto.ActionRequest;
import vigil.raft.agent.proto.HeartbeatReply;
import vigil.raft.agent.proto.HeartbeatRequest;
import vigil.raft.agent.proto.NodeAgentGrpc;

/** Serves the node agent protocol on this node's gRPC server. */
public final class NodeAgentService extends NodeAgentGrpc.NodeAgentImplBase {
    private final NodeAgent agent;

    public NodeAgentService(NodeAgent agent) { this.agent = agent; }

    @Override
    public void heartbeat(HeartbeatRequest req, StreamObserver<HeartbeatReply> out) {
        NodeTransport.HeartbeatReply r = agent.onHeartbeat(new NodeTransport.HeartbeatRequest(req.getLeader(), req.getTerm(),
                Duration.ofMillis(req.getNodeTimeoutMs()), req.getLeaseValid(), req.getFenceYourself(), req.getStop(), req.getSeq(),
                req.getConfirmedSeq(), Duration.ofMillis(req.getLeaseLeftMs())));
        NodeTransport.WatchdogReport w = r.watchdog();
        out.onNext(HeartbeatReply.newBuilder().setNode(r.node()).setNewestTerm(r.newestTerm()).setReady(r.ready())
                .addAllInFlight(r.inFlight()).setWallClockMs(r.wallClock() == null ? 0 : r.wallClock().toEpochMilli())
                .setWatchdogTimeoutMs(w.timeout().toMillis()).setWatchdogResetting(w.resetting()).setWatchdogResetWithinMs(w.resetWithin().toMillis())
                .setLeaving(r.leaving()).setDegraded(r.degraded()).build());
        out.onCompleted();
    }

    @Override
    public void checkFenceDevice(vigil.raft.agent.proto.FenceCheckRequest req, StreamObserver<vigil.raft.agent.proto.FenceCheckReply> out) {
        agent.onCheckFenceDevice(new NodeTransport.FenceCheckRequest(req.getTerm(), req.getLeader(), req.getDevice())).whenComplete((r, err) -> {
            if (err != null) {
                out.onError(Status.INTERNAL.withDescription(req.getDevice() + " check: " + err).asRuntimeException());
                return;
            }
            out.onNext(vigil.raft.agent.proto.FenceCheckReply.newBuilder().setOk(!(r instanceof vigil.api.spi.FenceResult.Failed))
                    .setDetail(r.detail()).build());
            out.onCompleted();
        });
    }

    @Override
    public void execute(ActionRequest req, StreamObserver<ActionReply> out) {
        NodeTransport.ActionRequest r = new NodeTransport.ActionRequest(req.getTerm(), req.getLeader(), req.getResource(), req.getAction(),
                Duration.ofMillis(req.getIntervalMs()), req.getPeer(), Duration.ofMillis(req.getTimeoutMs()), req.getConfigVersion());
        agent.onExecute(r).whenComplete((reply, err) -> {
            if (err != null) {
                out.onError(Status.INTERNAL.withDescription(r.resource() + " " + r.action() + ": " + err).asRuntimeException());
                return;
            }
            out.onNext(ActionReply.newBuilder().setAccepted(reply.accepted()).setRejection(reply.rejection())
                    .setOcfCode(reply.code().code()).setMessage(reply.message()).build());
            out.onCompleted();
        });
    }
}
