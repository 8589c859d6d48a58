/**
 * The scheduler's pure core: plain Java, no Pekko, no Curator, no clock reads (callers pass {@code Instant now}).
 * <pre>
 *   worker messages, owner requests, ticks
 *        |  (ResourceManager decodes)
 *        v
 *   ClusterBook.apply(event, now) --uses--> policy.Placement, Reconciliation
 *        |
 *        v  decisions: Place, StartAttempts, Kill, AckReports, RouteReport (LOST ones too), WorkerChanged, ...
 *   ResourceManager sends them (workers by id, JobMasters by job id, the Dispatcher for unowned reports)
 * </pre>
 * {@link io.baton.scheduler.model.ClusterBook} is the cluster for one leader epoch: workers and their liveness, the
 * capacity ledger, the placement queue, attempts recovered after a failover, batched acknowledgements. It is owned
 * by one actor and not thread-safe. {@link io.baton.scheduler.model.JobLogic} is one job's state machine,
 * {@link io.baton.scheduler.model.Reconciliation} the recovery rules a new leader applies.
 * {@link io.baton.scheduler.model.ScheduleLogic} decides, from a schedule's durable
 * {@link io.baton.scheduler.model.ScheduleState} and {@code now}, which fires are due (late ones, misfires by policy),
 * when to look again, the next fire times, and what a fire does while the previous job runs.
 */
package io.baton.scheduler.model;
