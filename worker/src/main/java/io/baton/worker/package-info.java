/**
 * Baton's node agent. {@link io.baton.worker.WorkerAgent} is the one actor; the pure parts live in
 * {@code connection/} ({@code LeaderConnection}: epochs, registration, self-fencing rule) and {@code execution/}
 * ({@code AttemptBook}: attempt states and unacknowledged reports; {@code AttemptLauncher}: processes and
 * handlers).
 *
 * <pre>
 *  ZooKeeper /leader ──(LeaderRetrieval listener, retrieval thread)──► WorkerAgent
 *                                                                        │  ▲
 *        LeaderResolver.resolve(leader) ── "&lt;address&gt;/user/gateway" ──────┘  │
 *                                                                           │
 *  leader gateway ◄── RegisterWorker / Heartbeat / Reports (ToLeader) ──── WorkerAgent
 *  leader gateway ──► RegistrationAccepted / HeartbeatAck / NotRegistered /
 *                     StartAttempts / KillAttempts / AckReports / FetchLog ──► WorkerAgent (adapter ref)
 *                                                                           │
 *                   AttemptLauncher ◄── start / kill ──────────────────────── WorkerAgent
 *                     ├─ OS process (ProcessBuilder, whole tree killed)  ── onExit ──► AttemptEnded
 *                     └─ TaskHandler on the handler pool                 ── outcome ─► AttemptEnded
 *  FetchLog ──► logs/&lt;job&gt;/&lt;task&gt;/&lt;attempt&gt;.log ──► LogChunk to replyTo
 * </pre>
 *
 * <p>Every message from a leader carries its epoch; anything older than the newest epoch seen is ignored.
 * With attempts running and no leader heard for longer than the heartbeat timeout, the agent kills them and
 * reports them LOST (self-fencing). Reports are repeated (every heartbeat and with every registration) until
 * the leader acknowledges them; a terminal attempt is forgotten once acknowledged (its log stays).
 */
package io.baton.worker;
