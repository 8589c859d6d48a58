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
 *
 * <p>Edges: a duplicate StartAttempts re-reports the known attempt instead of running it again; KillAttempts for
 * an attempt the worker does not know reports nothing; FetchLog answers found=false only when the worker neither
 * has a log file nor knows the attempt (a known handler attempt that wrote nothing answers found=true, empty).
 * Log reads are capped at {@code WorkerSettings.maxLogChunkBytes} and done on the actor thread.
 *
 * <p>The ActorSystem needs remoting for a real cluster ({@code pekko.actor.provider = remote}, Artery TCP,
 * {@code canonical.port = 0} is fine for a worker); Baton's Kryo serializer binding comes from protocol's
 * {@code reference.conf}.
 */
package io.baton.worker;
