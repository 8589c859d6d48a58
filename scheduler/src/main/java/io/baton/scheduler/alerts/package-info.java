/**
 * Alerts (README, "Alerts"): webhooks on a job's FAILED or SUCCEEDED and on an attempt running past a threshold.
 *
 * <pre>
 *   JobMaster --(JobAlerts: which alerts a change raises)--> JobStore.put(job, alerts)   one fenced transaction:
 *                                                               jobs/..../job  +  alerts/&lt;id&gt;
 *   AlertCourier (one per leader epoch) --poll--> JobStore.pendingAlerts
 *                --WebhookSender (own threads)--> receiver   (Baton-Alert-Id, Baton-Signature: AlertSigner)
 *                --2xx or given up--> JobStore.deleteAlert
 * </pre>
 * The intent to deliver is durable before the job's terminal state is acknowledged to anyone, so a new leader
 * delivers what its predecessor did not (at least once, same id).
 */
package io.baton.scheduler.alerts;
