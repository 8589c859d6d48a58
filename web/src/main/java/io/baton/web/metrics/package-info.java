/**
 * A master's {@code GET /metrics}: Micrometer's Prometheus registry, fed only at the edges so that the actors and
 * the pure model know nothing of it.
 *
 * <pre>
 *  HaServices ──► MeteredHaServices ── grant / revoke ──► MasterMetrics (grants, epoch; Reset ─► JobEventsMeter)
 *                      └─ MeteredJobStore: write timers; loadForLeader's jobs ── Recovered ──► JobEventsMeter
 *  leader's eventStream ── ClusterEvent ──► adapter ──► JobEventsMeter (actor: job/attempt counters, gauges,
 *                                                        latency histograms, placement queue)
 *  RestServer route directive ── route template, method, status, time ──► MasterMetrics.request
 *  GET /metrics ──► MasterMetrics.scrape: MasterApi.workers() (async, 2 s) ─► worker gauges ─► registry.scrape()
 * </pre>
 */
package io.baton.web.metrics;
