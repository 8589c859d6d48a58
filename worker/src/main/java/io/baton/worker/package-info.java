/**
 * Baton's node agent. {@link io.baton.worker.WorkerAgent} is the one actor; the pure parts live in
 * {@code connection/} ({@code LeaderConnection}: epochs, registration, the lease and the self-fencing rule) and
 * {@code execution/} ({@code AttemptBook}: attempt states and unacknowledged reports; {@code AttemptLauncher}:
 * processes under their {@code AttemptGuard}, and handlers).
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
 *                     ├─ attempt-guard.pl ─► OS process tree ── onExit + status ──► AttemptEnded
 *                     │    ◄── "lease N" on its stdin (every answered heartbeat); SIGTERM = kill
 *                     └─ TaskHandler on the handler pool                 ── outcome ─► AttemptEnded
 *  FetchLog ──► logs/&lt;job&gt;/&lt;task&gt;/&lt;attempt&gt;.log ──► LogChunk to replyTo
 *  RunRecordWriter (own thread) ◄── start / end / ack of each attempt ────── WorkerAgent
 *     running/&lt;job&gt;.&lt;task&gt;.&lt;attempt&gt;-&lt;hash&gt;.json ──► Leftovers.reap, once, before the first registration
 * </pre>
 *
 * <p>Every message from a leader carries its epoch; anything older than the newest epoch seen is ignored.
 * The worker's lease (its authority to run attempts) is anchored on the send time of the newest heartbeat or
 * registration the followed leader answered and ends a margin before the heartbeat timeout after it; when it ends
 * the agent kills its attempts and reports them LOST (self-fencing), and it refuses to start new ones. Each
 * command's guard holds the same deadline and enforces it even while the JVM is frozen, and kills the attempt's
 * whole tree when the JVM dies (its stdin closes). Reports are repeated (every heartbeat and with every registration) until
 * the leader acknowledges them; a terminal attempt is forgotten once acknowledged (its log stays).
 *
 * <p>Restarts. The worker keeps one run record per attempt it has not yet had acknowledged in
 * {@code <dataDir>/running/} ({@code RunRecord}, JSON format 1, written to a temporary file and moved into place):
 * written when the attempt starts (with the command's pid and the process start instant the OS reports, no pid
 * for a handler), rewritten with the terminal report when it ends, deleted when the leader acknowledges that
 * terminal report. A command's first record is written on the actor thread before the fork; every other
 * change goes through {@code RunRecordWriter}, one thread that applies them in order, collapsed per attempt to the
 * latest (a file write costs about a millisecond; a noop attempt acknowledged quickly costs no I/O). A worker that starts on a data dir reads them all before it registers ({@code Leftovers}): for
 * a record still running, if a process with that pid (the guard's) is alive and its start instant equals the
 * recorded one, its whole tree is killed, and so is every process whose environment names the attempt and this
 * worker ({@code BATON_JOB_ID}, {@code BATON_TASK_ID}, {@code BATON_ATTEMPT}, {@code BATON_WORKER_ID}) (descendants first, forcibly; the agent waits up to 5 s for it to go); a pid with another
 * start instant belongs to someone else and is left alone. Each such attempt becomes LOST ("worker restarted;
 * process N killed", "... was already gone", "... no process recorded" for a handler or a command whose fork the
 * previous life did not get to record), its record is rewritten as LOST, and it goes into the book unacknowledged, so the first RegisterWorker
 * carries it; records already terminal (ended, not yet acknowledged) are reported with their outcome. A second
 * restart before the ack reports the same again. A graceful stop kills the running attempts and records them LOST
 * ("worker stopped; attempt killed"). Limits: a process that left the tree and cleared its environment is not
 * found (the guard normally killed it already); records are not fsynced (they survive kill -9 of the worker, not necessarily a power cut); two live workers must
 * not share a data dir; the restarted worker should keep its worker id (app keeps it in the data dir).
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
