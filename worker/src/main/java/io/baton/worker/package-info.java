/**
 * Baton's node agent. {@link io.baton.worker.WorkerAgent} is a thin guardian over two actors:
 * {@code connection/LeaderLink}, the link to the leader and the only door for leader commands, and
 * {@code execution/AttemptRunner}, which runs the attempts (its {@code Attempts}: the book, the attempts running,
 * their run records). Their pure parts: {@code LeaderConnection} (epochs, registration, the lease and the
 * self-fencing rule) and {@code AttemptBook} (attempt states and unacknowledged reports); {@code AttemptLauncher}
 * starts processes under their {@code AttemptGuard}, and handlers.
 *
 * <pre>
 *  WorkerAgent (guardian: GetStatus, Stop, Crash; stops when either child stops)
 *   ├─ AttemptRunner   recovering ──(Leftovers.reap off the actor thread, pipeToSelf)──► running
 *   │                  (stashes every command until then)
 *   └─ LeaderLink      following ─► resolving ─► registering ─► registered   (any state ─► following: no leader)
 *        └─ inbox-&lt;epoch&gt;-&lt;random&gt; (LeaderInbox: one per followed leader; its ref goes only into that leader's
 *           RegisterWorker)
 *
 *  ZooKeeper /leader ──(LeaderRetrieval listener, retrieval thread)──► LeaderLink
 *        LeaderResolver.resolve(leader) ── "&lt;address&gt;/user/gateway" ──► LeaderLink
 *  leader gateway ◄── RegisterWorker / Heartbeat / Reports (ToLeader) ──── LeaderLink
 *  leader gateway ──► RegistrationAccepted / HeartbeatAck / NotRegistered /
 *                     StartAttempts / KillAttempts / AckReports / FetchLog ──► inbox of that leader ──► LeaderLink
 *                       (admitted only: the followed leader's inbox, its epoch, its session id; else logged, dropped)
 *  LeaderLink ── Start / Kill / Ack / FetchLog / LeaseRenewed / SelfFence / ResendDue /
 *                GetRegistrationReports ──► AttemptRunner
 *  AttemptRunner ── Reports (batches of changes, running count) / RegistrationReports ──► LeaderLink
 *  AttemptRunner:
 *     AttemptLauncher ◄── start / kill
 *       ├─ attempt-guard.pl ─► OS process tree ── onExit + status ──► AttemptEnded
 *       │    ◄── "lease N" on its stdin (every lease renewal); SIGTERM = kill
 *       └─ TaskHandler on the handler pool                 ── outcome ─► AttemptEnded
 *     FetchLog ──► logs/&lt;job&gt;/&lt;task&gt;/&lt;attempt&gt;.log ──► LogChunk to the request's replyTo
 *     RunRecordWriter (own thread) ◄── start / end / ack of each attempt
 *       running/&lt;job&gt;.&lt;task&gt;.&lt;attempt&gt;-&lt;hash&gt;.json ──► Leftovers.reap, once, while recovering
 * </pre>
 *
 * <p>The door ({@code LeaderDoor}, used by the link alone). Each leader the link follows gets an inbox of its own,
 * a child actor whose ref goes only into the registrations with that leader (its name is random, so the ref is not
 * a path one can guess). A message is obeyed only when it arrived on the inbox of the leader followed now and
 * carries exactly that leader's epoch, the one read from {@code /leader} (an older epoch is a deposed leader; a
 * newer one is not known to lead, and a message cannot raise the epoch the worker obeys); a {@code
 * RegistrationAccepted} must also name that leader's session id. Anything else is dropped and logged, rate-limited
 * ({@code RejectionLog}), with what is known of the sender (which leader's inbox it came on, where a FetchLog wants
 * its answer). A leader followed again (after {@code /leader} could not be read for a moment) gets its inbox back:
 * the leader knows a worker process by that ref. The inboxes of the last eight leaders no longer followed stay
 * alive, so what still arrives on them is logged too; older ones are stopped (Pekko logs what reaches them as dead
 * letters).
 *
 * <p>The lease. The worker's authority to run attempts is anchored on the send time of the newest heartbeat or
 * registration the followed leader answered and ends a margin before the heartbeat timeout after it. The link
 * tells the runner each renewal (the runner refuses starts after the deadline it was told, and passes it to the
 * guards); when it ends the link tells the runner to kill what runs, LOST (self-fencing), and the runner reports
 * them. Each command's guard holds the same deadline and enforces it even while the JVM is frozen, and kills the
 * attempt's whole tree when the JVM dies (its stdin closes).
 *
 * <p>Reports. The runner sends the changes made while handling each command to the link as one batch, and the
 * ends of a burst of attempts as one batch after the messages already queued; the link sends each batch to the
 * leader when registered and drops it otherwise: the reports stay unacknowledged in the book, so the next
 * registration carries them, or, for a batch dropped while a registration was on its way, the heartbeat resend a
 * heartbeat interval later. Reports are repeated (on each heartbeat once a heartbeat interval old, and with every
 * registration) until the leader acknowledges them; a terminal attempt is forgotten once acknowledged (its log
 * stays).
 *
 * <p>Restarts. The worker keeps one run record per attempt it has not yet had acknowledged in
 * {@code <dataDir>/running/} ({@code RunRecord}, JSON format 1, written to a temporary file and moved into place):
 * written when the attempt starts (with the command's pid and the process start instant the OS reports, no pid
 * for a handler), rewritten with the terminal report when it ends, deleted when the leader acknowledges that
 * terminal report. A command's first record is written on the runner's thread before the fork; every other change
 * goes through {@code RunRecordWriter}, one thread that applies them in order, collapsed per attempt to the latest.
 * The runner starts {@code recovering}: {@code Leftovers.reap} runs on a thread of its own ({@code Recovery}) while
 * the runner stashes every command (bounded; the link's request for registration reports included, so the first
 * RegisterWorker waits for it and carries what it found). For a record still running, if a process with that pid
 * (the guard's) is alive and its start instant equals the recorded one, its whole tree is killed, and so is every
 * process whose environment names the attempt and this worker ({@code BATON_JOB_ID}, {@code BATON_TASK_ID},
 * {@code BATON_ATTEMPT}, {@code BATON_WORKER_ID}) (descendants first, forcibly; up to 5 s for it to go); a pid with
 * another start instant belongs to someone else and is left alone. Each such attempt becomes LOST ("worker
 * restarted; process N killed", "... was already gone", "... no process recorded"), its record is rewritten as
 * LOST, and it goes into the book unacknowledged; records already terminal are reported with their outcome. A
 * recovery that fails stops the runner, and with it the worker. A graceful stop kills the running attempts and
 * records them LOST ("worker stopped; attempt killed"). Limits: a process that left the tree and cleared its
 * environment is not found (the guard normally killed it already); records are not fsynced (they survive kill -9
 * of the worker, not necessarily a power cut); two live workers must not share a data dir; the restarted worker
 * should keep its worker id (app keeps it in the data dir).
 *
 * <p>Edges: a duplicate StartAttempts re-reports the known attempt instead of running it again; KillAttempts for
 * an attempt the worker does not know reports nothing; FetchLog answers found=false only when the worker neither
 * has a log file nor knows the attempt. Log reads are capped at {@code WorkerSettings.maxLogChunkBytes} and done on
 * the runner's thread. {@code GetStatus} is answered behind what the followed leader's inbox, the link and the
 * runner hold, so tests can use it to let the worker settle.
 *
 * <p>The ActorSystem needs remoting for a real cluster ({@code pekko.actor.provider = remote}, Artery TCP,
 * {@code canonical.port = 0} is fine for a worker); Baton's Kryo serializer binding comes from protocol's
 * {@code reference.conf}.
 */
package io.baton.worker;
