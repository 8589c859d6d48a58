// Why a job, task or attempt is in its state, in words, derived from the job JSON the page already has (and
// the workers it knows): an attempt's message or exit code, a task's unfinished dependency, its retry backoff, or
// the capacity it waits for.
import { time } from './dom.js';

const FAILED_ATTEMPT = new Set(['FAILED', 'TIMED_OUT', 'LOST', 'CANCELLED']);

/** The reason an attempt ended as it did, or null when there is nothing to say (a success, a running attempt). */
export function attemptReason(a) {
  if (!a || !FAILED_ATTEMPT.has(a.state)) return null;
  const parts = [];
  if (a.message) parts.push(a.message);
  if (a.exitCode !== null && a.exitCode !== undefined && a.exitCode !== 0
      && !(a.message || '').includes(String(a.exitCode))) {
    parts.push(`exit code ${a.exitCode}`);
  }
  if (!parts.length) {
    return a.state === 'TIMED_OUT' ? 'timed out' : a.state === 'LOST' ? 'lost with its worker'
      : a.state === 'CANCELLED' ? 'cancelled' : 'failed';
  }
  return parts.join('; ');
}

function lastAttempt(task) {
  const list = task.attempts || [];
  return list.length ? list[list.length - 1] : null;
}

function fits(worker, task) {
  if (worker.state !== 'ALIVE') return false;
  for (const [k, v] of Object.entries(task.constraints || {})) {
    if ((worker.labels || {})[k] !== v) return false;
  }
  return worker.cpus - worker.cpusUsed >= task.cpus && worker.memoryMb - worker.memoryMbUsed >= task.memoryMb;
}

function matchesLabels(worker, task) {
  return Object.entries(task.constraints || {}).every(([k, v]) => (worker.labels || {})[k] === v);
}

/**
 * Why {@code task} of {@code job} is in its state: { kind, text } or null. kind is one of failed, dependency,
 * backoff, capacity, scheduled. {@code workers} (optional) is the list of workers the page knows.
 */
export function taskReason(task, job, workers = [], now = Date.now()) {
  const last = lastAttempt(task);
  if (FAILED_ATTEMPT.has(task.state)) {
    const why = attemptReason(last);
    if (task.state === 'CANCELLED' && !last) {
      const failed = (task.dependsOn || []).map((d) => job.tasks.find((t) => t.id === d))
        .filter((t) => t && t.state !== 'SUCCEEDED');
      return { kind: 'failed', text: failed.length ? `not run: ${failed.map((t) => t.id).join(', ')} did not succeed` : 'cancelled before it ran' };
    }
    return { kind: 'failed', text: why || task.state.toLowerCase() };
  }
  if (task.state === 'SCHEDULED') {
    return { kind: 'scheduled', text: `placed on ${last && last.workerId ? last.workerId : 'a worker'}, starting` };
  }
  if (task.state !== 'PENDING') return null;
  if (job.state === 'PENDING' && job.runAt && Date.parse(job.runAt) > now) {
    return { kind: 'time', text: `waiting until ${time(job.runAt)} (a schedule's fire, submitted ahead of its time)` };
  }
  const waiting = (task.dependsOn || []).filter((d) => {
    const dep = job.tasks.find((t) => t.id === d);
    return dep && dep.state !== 'SUCCEEDED';
  });
  if (waiting.length) {
    return { kind: 'dependency', text: `waiting for ${waiting.join(', ')}` };
  }
  if (task.retryAt && Date.parse(task.retryAt) > now) {
    const why = attemptReason(last);
    return { kind: 'backoff', text: `retry backoff until ${time(task.retryAt)}${why ? ` (attempt ${last.attempt}: ${why})` : ''}` };
  }
  if (job.state === 'CANCELLED' || job.state === 'FAILED') return null;
  const needs = `needs ${task.cpus} cpus / ${task.memoryMb} MB`;
  const constraints = Object.entries(task.constraints || {}).map(([k, v]) => `${k}=${v}`);
  let detail = '';
  if (workers.length) {
    const alive = workers.filter((w) => w.state === 'ALIVE');
    if (!alive.length) detail = '; no live worker';
    else if (constraints.length && !alive.some((w) => matchesLabels(w, task))) detail = `; no live worker has ${constraints.join(', ')}`;
    else if (!alive.some((w) => w.cpus >= task.cpus && w.memoryMb >= task.memoryMb && matchesLabels(w, task))) {
      detail = '; larger than any live worker';
    } else if (!alive.some((w) => fits(w, task))) detail = '; every fitting worker is busy';
  }
  return { kind: 'capacity', text: `waiting for capacity: ${needs}${constraints.length ? ` on ${constraints.join(', ')}` : ''}${detail}` };
}

/** Why a job is FAILED or CANCELLED (its first failed task and that task's reason), or null. */
export function jobReason(job) {
  if (job.state !== 'FAILED' && job.state !== 'CANCELLED') return null;
  const failed = job.tasks.find((t) => t.state === 'FAILED' || t.state === 'TIMED_OUT' || t.state === 'LOST');
  if (failed) {
    const why = attemptReason(lastAttempt(failed));
    return `task ${failed.id} ${failed.state === 'TIMED_OUT' ? 'timed out' : failed.state.toLowerCase()}${why ? `: ${why}` : ''}`;
  }
  return job.state === 'CANCELLED' ? 'cancelled' : null;
}

/** What the log pane says when an attempt wrote nothing. */
export function emptyLogText(a) {
  const why = attemptReason(a);
  if (why) return `(no output) This attempt ${a.state === 'TIMED_OUT' ? 'timed out' : `ended ${a.state}`}: ${why}`;
  if (a && a.state === 'SCHEDULED') return '(no output yet) Placed on a worker, starting…';
  if (a && a.state === 'RUNNING') return '(no output yet)';
  return '(empty log)';
}
