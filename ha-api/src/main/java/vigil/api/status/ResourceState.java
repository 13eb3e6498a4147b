package vigil.api.status;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import vigil.api.model.Role;

/**
 * What one primitive is doing on one node: its role (Stopped when inactive), its recent operations (newest last),
 * its fail count and the time of the last failure (for failure-timeout), and the promotion score its driver reported.
 * {@code blocked} is set when the node failed to stop it, so only fencing can clear it. {@code promotionScore} is
 * {@link #NO_PROMOTION_SCORE} until a driver reports one: a promotable instance without a score is not promoted.
 */
public record ResourceState(String resource, String node, Role role, List<OperationRecord> operations, int failCount,
                            Instant lastFailure, int promotionScore, boolean blocked) {
    public ResourceState {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(node, "node");
        role = role == null ? Role.STOPPED : role;
        operations = List.copyOf(operations == null ? List.of() : operations);
        lastFailure = lastFailure == null ? Instant.EPOCH : lastFailure;
    }

    /** The promotion score of an instance whose driver never reported one (Pacemaker: no promotion score). */
    public static final int NO_PROMOTION_SCORE = Integer.MIN_VALUE;

    public static ResourceState stopped(String resource, String node) {
        return new ResourceState(resource, node, Role.STOPPED, List.of(), 0, Instant.EPOCH, NO_PROMOTION_SCORE, false);
    }

    public boolean hasPromotionScore() { return promotionScore != NO_PROMOTION_SCORE; }

    public boolean isActive() { return role.isActive(); }

    public ResourceState withRole(Role r) { return new ResourceState(resource, node, r, operations, failCount, lastFailure, promotionScore, blocked); }

    public ResourceState withFailCount(int count, Instant at) {
        return new ResourceState(resource, node, role, operations, count, at, promotionScore, blocked);
    }

    public ResourceState withPromotionScore(int score) {
        return new ResourceState(resource, node, role, operations, failCount, lastFailure, score, blocked);
    }

    public ResourceState withBlocked(boolean b) { return new ResourceState(resource, node, role, operations, failCount, lastFailure, promotionScore, b); }

    /** Whether its last operation was sent and has no result yet (its role is then what that operation would make it). */
    public boolean pending() {
        return !operations.isEmpty() && operations.get(operations.size() - 1).code() == OcfCode.PENDING;
    }

    /** What is left of it once its node was fenced: stopped, not blocked, and an operation still pending there is gone with the node. */
    public ResourceState fenced() {
        List<OperationRecord> ops = pending() ? operations.subList(0, operations.size() - 1) : operations;
        return new ResourceState(resource, node, Role.STOPPED, ops, failCount, lastFailure, promotionScore, false);
    }

    /** Appends an operation, keeping the newest {@code keep}. */
    public ResourceState withOperation(OperationRecord op, int keep) {
        var ops = new java.util.ArrayList<>(operations);
        ops.add(op);
        while (ops.size() > keep) ops.remove(0);
        return new ResourceState(resource, node, role, ops, failCount, lastFailure, promotionScore, blocked);
    }
}
