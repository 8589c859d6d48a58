/**
 * Baton's REST API and status page on Pekko HTTP.
 *
 * <pre>
 *   HTTP client ──► RestServer (bind host:port, 1 MiB body limit)
 *                     │ handleExceptions / handleRejections ──► ProblemMapper ──► application/problem+json
 *                     │ BearerAuth (POST/PUT/PATCH/DELETE need the token, when one is set)
 *                     │ LeaderForwarding: on a standby, /api/v1/* (but cluster, healthz, readyz) ──► leader's REST
 *                     │   (X-Baton-Forwarded-By: never forwarded twice; leader unreachable ──► 503 + its URL)
 *                     ├─ /api/v1/jobs…     JobsRoutes ── JobSpecParser (pure: JSON ──► JobSpec | violations)
 *                     ├─ /api/v1/workers   WorkersRoutes
 *                     ├─ /api/v1/cluster   ClusterRoutes
 *                     ├─ /healthz /readyz  HealthRoutes (also under /api/v1)
 *                     └─ /, /assets/*      PageRoutes (web/index.html + web/assets/app.js, polls the API)
 *                              │
 *                              ▼  ApiCalls (ask timeout)
 *                     io.baton.scheduler.api.MasterApi ──► leader's actors (NotLeaderException ──► 503 + leader URL)
 * </pre>
 *
 * Routes are stateless; everything they need comes from {@link io.baton.scheduler.api.MasterApi}, which is
 * thread-safe. JSON shapes live in {@code Json}, error shapes in {@link io.baton.web.Problem}.
 */
package io.baton.web;
