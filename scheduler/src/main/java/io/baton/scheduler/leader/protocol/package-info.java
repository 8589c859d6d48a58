/**
 * Messages between the leader's actors that would otherwise make their packages import each other:
 * <pre>
 *   dispatcher (Dispatcher, JobMaster) --ResourceManager.Command--> resourcemanager
 *   resourcemanager --AttemptEvent (adapted by the receiver)--> dispatcher
 * </pre>
 * Plain records; {@code dispatcher} and {@code resourcemanager} both depend on this package, never the reverse.
 */
package io.baton.scheduler.leader.protocol;
