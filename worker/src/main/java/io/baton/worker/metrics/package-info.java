/**
 * A worker's own {@code GET /metrics} ({@code baton.worker.metrics-port}): {@link
 * io.baton.worker.metrics.WorkerMetricsServer}, the JDK's HTTP server over Micrometer's Prometheus registry; each
 * scrape asks the {@link io.baton.worker.WorkerAgent} for its status (no actor blocks on it).
 */
package io.baton.worker.metrics;
