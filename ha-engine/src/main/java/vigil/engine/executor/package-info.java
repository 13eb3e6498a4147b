/**
 * The node-local executor: runs resource operations for the leader with term fencing, timeouts, a concurrency limit,
 * one operation per resource at a time, recurring monitors, probes and the no-quorum-policy; optionally records
 * activity changes in a {@link vigil.engine.executor.Ledger}.
 *
 * <pre>{@code
 * JavaServiceDriver services = new JavaServiceDriver();
 * services.register("billing", billingService);
 * Executor executor = Executor.builder("node1", DriverRegistry.load(services), timer)
 *         .maxConcurrent(4).listener(result -> raft.submit(toCommand(result))).build();
 * executor.submit(ActionRequest.of("req-17", term, primitive, ResourceAction.START));
 * }</pre>
 */
package vigil.engine.executor;
