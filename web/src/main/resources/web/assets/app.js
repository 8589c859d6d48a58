// Baton's live status page. Loads the cluster, workers and newest jobs from /api/v1, then follows
// /api/v1/events (server-sent events) to update without reloading; after a lost connection it re-reads
// everything. Plain ES modules; every value enters the DOM as text, never markup.
import { API, ApiError, getJson, getText, post } from './api.js';
import { $, el, badge, bar, time, duration, since, TERMINAL } from './dom.js';
import { drawDag } from './dag.js';
import { attemptReason, taskReason, jobReason, emptyLogText } from './why.js';
import { startCharts, seed, sampleQueue, noteJob, noteEvent, filterEvents } from './charts.js';

const PAGE = 50;
const MAX_ROWS = 500;

const state = {
  cluster: null,
  self: null, // this master, from its own GET /cluster (the event stream speaks for the leader)
  mastersSeen: new Set(),
  mastersUp: new Set(),
  workersKnown: false, // the first workers list is the baseline, not a wave of joins
  workerFilter: '',
  leaderSince: new Map(),
  workers: new Map(),
  schedules: [],
  jobs: new Map(),
  nextBefore: null,
  filter: { state: '', name: '', worker: '', labels: [] }, // labels: ['key=value', ...]
  detail: null, // { id, job, task, attempt }
  logTimer: null,
};

// ---------- cluster ----------

async function loadCluster() {
  const c = await getJson('/cluster');
  state.cluster = c;
  state.self = c.self;
  renderCluster();
}

function renderCluster() {
  const c = state.cluster;
  if (!c) return;
  if (c.leader) {
    const key = `${c.leader.epoch}`;
    if (!state.leaderSince.has(key)) {
      state.leaderSince.set(key, new Date().toISOString());
      noteEvent('leader', `${c.leader.restUrl} leads (epoch ${c.leader.epoch})`);
    }
    $('leader').replaceChildren(el('span', { text: c.leader.restUrl, title: c.leader.address }));
    $('epoch').textContent = c.leader.epoch;
    $('leader-since').textContent = time(state.leaderSince.get(key));
  } else {
    $('leader').replaceChildren(el('strong', { class: 'warn', text: 'none elected' }));
    $('epoch').textContent = '—';
    $('leader-since').textContent = '—';
  }
  renderMasters(c);
  $('zookeeper').replaceChildren(el('span', { class: `zk zk-${c.zookeeper}`, text: c.zookeeper }));
  renderSelf(c);
}

/** Every master this page has seen: the live ones up, one seen before and gone from the list down. */
function renderMasters(c) {
  const up = new Set(c.masters);
  for (const m of state.mastersSeen) {
    if (!up.has(m) && state.mastersUp.has(m)) noteEvent('master-down', `master ${m} went down`);
  }
  for (const m of c.masters) {
    if (state.mastersSeen.has(m) && !state.mastersUp.has(m)) noteEvent('master-up', `master ${m} is back`);
    else if (!state.mastersSeen.has(m) && state.mastersSeen.size) noteEvent('master-up', `master ${m} joined`);
  }
  state.mastersUp = up;
  c.masters.forEach((m) => state.mastersSeen.add(m));
  if (state.self) state.mastersSeen.add(state.self.restUrl);
  const all = [...state.mastersSeen].sort();
  $('masters').replaceChildren(...(all.length ? all.map((m) => {
    const isUp = up.has(m);
    const leading = c.leader && m === c.leader.restUrl;
    return el('span', { class: `master ${isUp ? 'up' : 'down'}${leading ? ' leading' : ''}`, 'data-master': m,
      'data-up': isUp ? 'true' : 'false', title: isUp ? (leading ? 'leader' : 'standby, up') : 'down: gone from ZooKeeper',
      text: isUp ? m : `${m} (down)` });
  }) : [el('span', { text: '—' })]));
}

/** Which master served this page, and its role now: leader exactly when the known leader is this master. */
function renderSelf(c) {
  const self = state.self;
  if (!self) {
    $('self').textContent = '—';
    return;
  }
  const leads = Boolean(c.leader) && c.leader.restUrl === self.restUrl;
  $('self').textContent = `${self.restUrl} (${leads ? 'leader' : 'standby'})`;
  $('self').dataset.role = leads ? 'leader' : 'standby';
}

// ---------- workers ----------

async function loadWorkers() {
  const body = await getJson('/workers');
  const before = state.workers;
  state.workers = new Map(body.workers.map((w) => [w.id, w]));
  if (state.workersKnown) body.workers.forEach((w) => noteWorkerChange(before.get(w.id), w));
  state.workersKnown = true;
  renderWorkers();
}

/** A worker joining, dying or changing state goes on the timeline (first sight at page load does not). */
function noteWorkerChange(was, w) {
  if (was && was.state === w.state) return;
  const subject = { worker: w.id, labels: w.labels };
  if (!was) noteEvent('worker-joined', `worker ${w.id} joined (${w.host})`, subject);
  else if (w.state === 'DEAD') noteEvent('worker-dead', `worker ${w.id} died (was ${was.state})`, subject);
  else if (was.state === 'DEAD') noteEvent('worker-joined', `worker ${w.id} came back ${w.state}`, subject);
  else noteEvent('worker-state', `worker ${w.id} is ${w.state} (was ${was.state})`, subject);
}

/** The workers filter: an id, a host or a label (key=value, or any part of one); empty shows all. */
function workerMatches(w) {
  const f = state.workerFilter;
  if (!f) return true;
  const labels = Object.entries(w.labels || {}).map(([k, v]) => `${k}=${v}`);
  if (f.includes('=')) return labels.includes(f);
  return [w.id, w.host, ...labels].some((s) => s.toLowerCase().includes(f.toLowerCase()));
}

function workerRow(w) {
  const labels = Object.entries(w.labels || {});
  return el('tr', { 'data-worker-id': w.id, 'data-state': w.state },
    el('th', { scope: 'row', class: 'mono', text: w.id }),
    el('td', { text: w.host }),
    el('td', {}, ...(labels.length ? labels.map(([k, v]) => el('span', { class: 'chip', text: `${k}=${v}` }))
      : [el('span', { class: 'muted', text: '—' })])),
    el('td', {}, bar(w.cpusUsed, w.cpus, `${fmt(w.cpusUsed)} / ${fmt(w.cpus)}`)),
    el('td', {}, bar(w.memoryMbUsed, w.memoryMb, `${w.memoryMbUsed} / ${w.memoryMb} MB`)),
    el('td', { class: 'num', text: w.runningAttempts }),
    el('td', { class: 'age', 'data-since': w.lastHeartbeatAt || '', text: age(w.lastHeartbeatAt) }),
    el('td', {}, badge(w.state)));
}

function fmt(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function age(iso) {
  if (!iso) return '—';
  return `${duration(Math.max(0, Date.now() - Date.parse(iso)))} ago`;
}

function renderWorkers() {
  const all = [...state.workers.values()].filter(workerMatches).sort((a, b) => a.id.localeCompare(b.id));
  const live = all.filter((w) => w.state !== 'DEAD');
  const dead = all.filter((w) => w.state === 'DEAD');
  $('workers').replaceChildren(...(live.length ? live.map(workerRow)
    : [el('tr', {}, el('td', { colspan: 8, class: 'empty',
      text: state.workerFilter ? 'No live worker matches.' : 'No live workers.' }))]));
  $('dead-workers').replaceChildren(...(dead.length
    ? [el('tr', { class: 'divider' }, el('th', { colspan: 8, scope: 'rowgroup', text: `Dead workers (${dead.length})` })),
      ...dead.map(workerRow)] : []));
  $('workers-count').textContent = `${live.length} live${dead.length ? `, ${dead.length} dead` : ''}`;
}

// ---------- schedules ----------

async function loadSchedules() {
  const body = await getJson('/schedules');
  state.schedules = body.schedules;
  renderSchedules();
}

function scheduleRow(s) {
  const last = (s.lastFires || []).slice(0, 3).map((f) => f.jobId
    ? el('a', { href: `#/jobs/${encodeURIComponent(f.jobId)}`, class: `fire s-${f.state}`,
      title: `${f.id}: ${f.state}`, text: time(f.scheduledAt) })
    : el('span', { class: 'fire muted', title: `${f.id}: ${f.state}`, text: `${time(f.scheduledAt)} skipped` }));
  const toggle = el('button', { type: 'button', class: 'small', 'data-action': s.paused ? 'resume' : 'pause',
    text: s.paused ? 'Resume' : 'Pause',
    onclick: () => post(`/schedules/${encodeURIComponent(s.name)}/${s.paused ? 'resume' : 'pause'}`)
      .then(loadSchedules).catch(showError) });
  return el('tr', { 'data-schedule': s.name, 'data-paused': s.paused ? 'true' : 'false' },
    el('th', { scope: 'row', class: 'mono', text: s.name }),
    el('td', { class: 'mono', text: s.syntax === 'quartz' ? `${s.cron} (quartz)` : s.cron }),
    el('td', { text: s.timezone }),
    el('td', { text: s.paused ? '—' : time((s.nextFires || [])[0]) }),
    el('td', {}, ...(last.length ? last : [el('span', { class: 'muted', text: 'none yet' })])),
    el('td', {}, s.paused ? el('span', { class: 'badge s-PAUSED', text: 'PAUSED' }) : badge('ACTIVE')),
    el('td', {}, toggle));
}

function renderSchedules() {
  const all = state.schedules || [];
  $('schedules').replaceChildren(...(all.length ? all.map(scheduleRow)
    : [el('tr', {}, el('td', { colspan: 7, class: 'empty', text: 'No schedules.' }))]));
  const paused = all.filter((s) => s.paused).length;
  $('schedules-count').textContent = `${all.length}${paused ? `, ${paused} paused` : ''}`;
}

// ---------- jobs ----------

function jobQuery(before) {
  const q = new URLSearchParams({ limit: PAGE });
  if (state.filter.state) q.set('state', state.filter.state);
  if (state.filter.name) q.set('name', state.filter.name);
  if (state.filter.worker) q.set('worker', state.filter.worker);
  state.filter.labels.forEach((l) => q.append('label', l));
  if (before) q.set('before', before);
  return `/jobs?${q}`;
}

async function loadJobs() {
  const body = await getJson(jobQuery(null));
  state.jobs = new Map(body.jobs.map((j) => [j.id, j]));
  state.nextBefore = body.nextBefore;
  renderJobs();
}

async function loadOlder() {
  if (!state.nextBefore) return;
  const body = await getJson(jobQuery(state.nextBefore));
  body.jobs.forEach((j) => state.jobs.set(j.id, j));
  state.nextBefore = body.nextBefore;
  renderJobs();
}

/** The worker and label filters need what a job summary lacks (its labels, its attempts' workers): the server decides. */
function filteredByServerOnly() {
  return !!state.filter.worker || state.filter.labels.length > 0;
}

/** The labels filter as typed: comma-separated key=value; the list, or an error for the first part that is not. */
function parseLabels(text) {
  const labels = text.split(',').map((l) => l.trim()).filter((l) => l);
  const bad = labels.find((l) => l.indexOf('=') <= 0);
  return bad === undefined ? { labels } : { error: `"${bad}" is not key=value` };
}

let jobsReload = 0;
function reloadJobsSoon() {
  if (jobsReload) return;
  jobsReload = setTimeout(() => {
    jobsReload = 0;
    loadJobs().catch(showError);
  }, 1000);
}

function matches(job) {
  return (!state.filter.state || job.state === state.filter.state)
    && (!state.filter.name || job.name.toLowerCase().includes(state.filter.name.toLowerCase()));
}

function newestFirst(a, b) {
  return (b.submittedAt || '').localeCompare(a.submittedAt || '') || b.id.localeCompare(a.id);
}

function jobRow(j) {
  const pct = j.tasksTotal ? Math.round((100 * j.tasksSucceeded) / j.tasksTotal) : 0;
  return el('tr', { 'data-job-id': j.id, 'data-state': j.state },
    el('th', { scope: 'row' }, el('a', { href: `#/jobs/${encodeURIComponent(j.id)}`, class: 'mono', text: j.id })),
    el('td', { text: j.name }),
    el('td', {}, badge(j.state), listReason(j)),
    el('td', {}, progressBar(j), el('span', { class: 'sr-only', text: `${pct}%` })),
    el('td', { text: time(j.submittedAt) }),
    liveDuration('td', j.submittedAt, j.finishedAt, j.state));
}

let jobsFrame = 0;
function renderJobs() {
  if (jobsFrame) return;
  jobsFrame = requestAnimationFrame(() => {
    jobsFrame = 0;
    const rows = [...state.jobs.values()].filter(matches).sort(newestFirst);
    if (rows.length > MAX_ROWS) {
      rows.length = MAX_ROWS;
      state.jobs = new Map(rows.map((j) => [j.id, j]));
      state.nextBefore = rows[rows.length - 1].id;
    }
    $('jobs').replaceChildren(...(rows.length ? rows.map(jobRow)
      : [el('tr', {}, el('td', { colspan: 6, class: 'empty', text: 'No jobs match.' }))]));
    $('older').hidden = !state.nextBefore;
  });
}

function onJobEvent(job) {
  noteJob(job);
  const known = state.jobs.has(job.id);
  if (!known && filteredByServerOnly()) {
    // a new job, or one that has just run on the worker asked for: only the server can tell whether it matches
    if (matches(job) && isNewerThanShown(job)) reloadJobsSoon();
  } else if (known || (matches(job) && isNewerThanShown(job))) {
    state.jobs.set(job.id, job);
    renderJobs();
  }
  if (state.detail && state.detail.id === job.id) scheduleDetailReload();
}

function onJobRemoved(removed) {
  if (state.jobs.delete(removed.id)) renderJobs();
}

function isNewerThanShown(job) {
  if (state.jobs.size === 0 || !state.nextBefore) return true;
  const oldest = [...state.jobs.values()].sort(newestFirst).pop();
  return newestFirst(job, oldest) < 0;
}

// ---------- job detail ----------

async function openDetail(id, taskId) {
  stopLogPolling();
  state.detail = { id, job: null, task: taskId || null, attempt: null };
  $('job-heading').textContent = `Job ${id}`;
  $('log').textContent = 'Select an attempt to see its log.';
  $('log-title').textContent = '';
  await reloadDetail();
  pickDefaultAttempt();
}

let detailTimer = 0;
function scheduleDetailReload() {
  if (detailTimer) return;
  detailTimer = setTimeout(() => {
    detailTimer = 0;
    reloadDetail().catch(showError);
  }, 300);
}

async function reloadDetail() {
  const d = state.detail;
  if (!d) return;
  let job;
  try {
    job = await getJson(`/jobs/${encodeURIComponent(d.id)}`);
  } catch (e) {
    $('job-summary').replaceChildren();
    message(e instanceof ApiError && e.status === 404 ? `No job with id ${d.id}.` : String(e.message));
    return;
  }
  if (state.detail !== d) return;
  d.job = job;
  renderDetail();
}

function renderDetail() {
  const d = state.detail;
  const j = d.job;
  $('job-heading').textContent = j.name;
  const facts = [
    ['Id', el('span', { class: 'mono', text: j.id })],
    ['State', badge(j.state)],
    ['Progress', progressBar(j)],
    ['Submitted', time(j.submittedAt)],
    ['Started', time(j.startedAt)],
    ['Finished', time(j.finishedAt)],
    ['Duration', liveDuration('span', j.startedAt || j.submittedAt, j.finishedAt, j.state)],
  ];
  const why = jobReason(j);
  if (why) facts.splice(2, 0, ['Reason', el('span', { class: 'reason', text: why })]);
  const labels = Object.entries(j.labels || {});
  const jobLink = (id) => el('a', { href: `#/jobs/${encodeURIComponent(id)}`, class: 'mono', text: id });
  if (j.runAt) facts.push(['Runs at', time(j.runAt)]);
  if (j.rerunOf) facts.push(['Rerun of', jobLink(j.rerunOf)]);
  if (j.reruns && j.reruns.length) facts.push(['Rerun by', el('span', {}, ...j.reruns.map(jobLink))]);
  if (labels.length) facts.push(['Labels', el('span', {}, ...labels.map(([k, v]) => el('span', { class: 'chip', text: `${k}=${v}` })))]);
  $('job-summary').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { text: k }),
    typeof v === 'string' ? el('dd', { text: v }) : el('dd', {}, v))));
  $('job-summary').setAttribute('data-state', j.state);
  $('cancel').hidden = TERMINAL.has(j.state);
  $('rerun').hidden = !TERMINAL.has(j.state) || j.state === 'SUCCEEDED';
  const workers = [...state.workers.values()];
  const reasons = new Map(j.tasks.map((t) => [t.id, taskReason(t, j, workers)]));
  drawDag($('dag'), j.tasks, d.task, (taskId) => selectTask(taskId), (t) => reasons.get(t.id));
  renderTaskReasons(j, reasons);
  renderAttempts();
  if (!d.attempt && allAttempts().length) {
    pickDefaultAttempt();
    return;
  }
  const sel = selectedAttempt();
  if (sel && sel.state === 'RUNNING' && !state.logTimer) startLogPolling();
}

function allAttempts() {
  const j = state.detail.job;
  const rows = [];
  for (const t of j.tasks) for (const a of t.attempts) rows.push({ task: t.id, ...a });
  return rows;
}

function selectedAttempt() {
  const d = state.detail;
  if (!d || !d.job || !d.attempt) return null;
  return allAttempts().find((a) => a.task === d.attempt.task && a.attempt === d.attempt.attempt) || null;
}

function renderAttempts() {
  const d = state.detail;
  const rows = allAttempts().filter((a) => !d.task || a.task === d.task);
  $('attempts').replaceChildren(...(rows.length ? rows.map((a) => {
    const chosen = d.attempt && d.attempt.task === a.task && d.attempt.attempt === a.attempt;
    return el('tr', { 'data-task-id': a.task, 'data-attempt': a.attempt, 'data-state': a.state, class: chosen ? 'chosen' : '' },
      el('th', { scope: 'row', class: 'mono', text: a.task }),
      el('td', { class: 'num', text: a.attempt }),
      el('td', {}, badge(a.state)),
      el('td', { class: 'mono', text: a.workerId || '—' }),
      el('td', { class: 'num', text: a.exitCode ?? '—' }),
      el('td', { text: time(a.startedAt) }),
      el('td', { text: time(a.finishedAt) }),
      el('td', { class: 'reason', text: attemptReason(a) || '' }),
      el('td', {}, el('button', { type: 'button', class: 'link', 'aria-pressed': chosen ? 'true' : 'false',
        text: 'View log', onclick: () => selectAttempt(a.task, a.attempt) })));
  }) : [el('tr', {}, el('td', { colspan: 9, class: 'empty',
    text: d.task ? `Task ${d.task} has not started yet.` : 'No attempts yet.' }))]));
  $('attempts-heading').textContent = d.task ? `Attempts of ${d.task}` : 'Attempts';
}

function selectTask(taskId) {
  const d = state.detail;
  d.task = d.task === taskId ? null : taskId;
  const mine = allAttempts().filter((a) => a.task === taskId);
  if (d.task && mine.length) {
    selectAttempt(taskId, mine[mine.length - 1].attempt);
  } else {
    renderDetail();
  }
}

function pickDefaultAttempt() {
  const d = state.detail;
  if (!d || !d.job) return;
  const rows = allAttempts().filter((a) => !d.task || a.task === d.task);
  const running = rows.find((a) => a.state === 'RUNNING');
  const pick = running || rows[rows.length - 1];
  if (pick) selectAttempt(pick.task, pick.attempt);
}

function selectAttempt(task, attempt) {
  state.detail.attempt = { task, attempt };
  stopLogPolling();
  renderDetail();
  $('log-title').textContent = `${task} #${attempt}`;
  loadLog();
  const a = selectedAttempt();
  if (a && (a.state === 'RUNNING' || a.state === 'SCHEDULED')) startLogPolling();
}

async function loadLog() {
  const d = state.detail;
  const sel = d && d.attempt;
  if (!sel) return;
  const pre = $('log');
  try {
    const text = await getText(`/jobs/${encodeURIComponent(d.id)}/tasks/${encodeURIComponent(sel.task)}/log?attempt=${sel.attempt}`);
    if (state.detail !== d || d.attempt !== sel) return;
    pre.textContent = text.length ? text : emptyLogText(selectedAttempt());
    pre.dataset.loaded = `${sel.task}#${sel.attempt}`;
  } catch (e) {
    if (state.detail !== d || d.attempt !== sel) return;
    const why = attemptReason(selectedAttempt());
    pre.textContent = `No log: ${e.message}${why ? `\nThis attempt ended ${selectedAttempt().state}: ${why}` : ''}`;
  }
  if ($('follow').checked) pre.scrollTop = pre.scrollHeight;
  const a = selectedAttempt();
  if (a && TERMINAL_ATTEMPT.has(a.state)) stopLogPolling();
}

const TERMINAL_ATTEMPT = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'LOST']);

function startLogPolling() {
  if (state.logTimer || !$('follow').checked) return;
  state.logTimer = setInterval(loadLog, 1000);
}

function stopLogPolling() {
  if (state.logTimer) clearInterval(state.logTimer);
  state.logTimer = null;
}

async function cancelJob() {
  const d = state.detail;
  if (!d) return;
  const button = $('cancel');
  button.disabled = true;
  try {
    await post(`/jobs/${encodeURIComponent(d.id)}/cancel`);
    message('Cancel requested.', true);
    scheduleDetailReload();
  } catch (e) {
    message(`Could not cancel: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

async function rerunJob() {
  const d = state.detail;
  if (!d) return;
  const button = $('rerun');
  button.disabled = true;
  try {
    const created = await post(`/jobs/${encodeURIComponent(d.id)}/rerun`);
    location.hash = `#/jobs/${encodeURIComponent(created.id)}`;
  } catch (e) {
    message(`Could not rerun: ${e.message}`);
  } finally {
    button.disabled = false;
  }
}

function message(text, ok) {
  const m = $('job-message');
  m.textContent = text;
  m.className = `message${ok ? ' ok' : ''}`;
  m.hidden = false;
}

// ---------- why, colours and live durations ----------

const TICKING = new Set(['PENDING', 'RUNNING']);

// why a FAILED job in the list failed: its detail is read once (a finished job does not change), a few at a time
const listReasons = new Map();
const reasonsWanted = [];
let reasonsReading = 0;

function listReason(j) {
  if (j.state !== 'FAILED') return null;
  if (listReasons.has(j.id)) {
    const text = listReasons.get(j.id);
    return text ? el('div', { class: 'reason small-reason', text }) : null;
  }
  if (!reasonsWanted.includes(j.id) && reasonsWanted.length < 50) reasonsWanted.push(j.id);
  readListReasons();
  return null;
}

function readListReasons() {
  while (reasonsReading < 2 && reasonsWanted.length) {
    const id = reasonsWanted.shift();
    reasonsReading += 1;
    getJson(`/jobs/${encodeURIComponent(id)}`).then((job) => {
      listReasons.set(id, jobReason(job));
      renderJobs();
    }).catch(() => listReasons.set(id, null)).finally(() => {
      reasonsReading -= 1;
      readListReasons();
    });
  }
}

/** A job's progress bar in its state's colour (a FAILED job's bar is red, a CANCELLED one grey). */
function progressBar(j) {
  const b = bar(j.tasksSucceeded, j.tasksTotal, `${j.tasksSucceeded} / ${j.tasksTotal} tasks`, true);
  b.classList.add(`st-${j.state}`);
  return b;
}

/** A duration that the page's one-second tick keeps current while the job is not finished. */
function liveDuration(tag, fromIso, toIso, jobState) {
  const live = !toIso && TICKING.has(jobState) && fromIso;
  return el(tag, { class: `num duration${live ? ' ticking' : ''}`, 'data-from': live ? fromIso : null,
    text: duration(since(fromIso, toIso)) });
}

function tickDurations() {
  document.querySelectorAll('.duration.ticking').forEach((e) => {
    e.textContent = duration(since(e.dataset.from, null));
  });
}

/** Under the DAG: each task that is not done or running, with why. */
function renderTaskReasons(j, reasons) {
  const items = j.tasks.filter((t) => reasons.get(t.id)).slice(0, 200).map((t) => {
    const r = reasons.get(t.id);
    return el('li', { 'data-task-id': t.id, 'data-kind': r.kind },
      el('span', { class: 'mono', text: t.id }), ' ', badge(t.state), ' ', el('span', { class: 'reason', text: r.text }));
  });
  $('task-reasons').replaceChildren(...items);
  $('task-reasons').hidden = items.length === 0;
}

/** The last hour's charts: seeded from the newest jobs, the queue sampled every 5 s. */
function startHistory() {
  try {
    startCharts();
  } catch (e) {
    showError(e);
    return;
  }
  seed().catch(showError);
  const sample = () => sampleQueue().catch(showError);
  sample();
  setInterval(sample, 5000);
}

// ---------- live events ----------

let source = null;
let needsResync = false;
let retryTimer = 0;

function setLive(s, text) {
  const live = $('live');
  live.dataset.state = s;
  live.textContent = text;
}

function connect() {
  if (source) source.close();
  source = new EventSource(`${API}/events`);
  source.addEventListener('hello', (e) => {
    setLive('open', 'Live');
    state.cluster = JSON.parse(e.data);
    renderCluster();
    if (needsResync) {
      needsResync = false;
      resync();
    }
  });
  source.addEventListener('job', (e) => onJobEvent(JSON.parse(e.data)));
  source.addEventListener('jobRemoved', (e) => onJobRemoved(JSON.parse(e.data)));
  source.addEventListener('worker', (e) => {
    const w = JSON.parse(e.data);
    if (state.workersKnown) noteWorkerChange(state.workers.get(w.id), w);
    state.workers.set(w.id, w);
    renderWorkers();
  });
  source.addEventListener('cluster', (e) => {
    state.cluster = JSON.parse(e.data);
    renderCluster();
  });
  source.onerror = () => {
    needsResync = true;
    setLive('down', 'Reconnecting…');
    if (source.readyState === EventSource.CLOSED) {
      // a 503 (no leader yet) closes the stream for good: open a new one in a moment
      clearTimeout(retryTimer);
      retryTimer = setTimeout(connect, 2000);
      loadCluster().catch(() => {});
    }
  };
}

function resync() {
  Promise.allSettled([loadCluster(), loadWorkers(), loadSchedules(), loadJobs(),
    state.detail ? reloadDetail() : null])
    .then((results) => results.filter((r) => r.status === 'rejected').forEach((r) => showError(r.reason)));
}

function showError(e) {
  console.warn('Baton page:', e);
}

// ---------- routing and start ----------

function route() {
  const m = location.hash.match(/^#\/jobs\/([^/]+)(?:\/([^/]+))?/);
  if (m) {
    $('overview').hidden = true;
    $('detail').hidden = false;
    $('job-message').hidden = true;
    openDetail(decodeURIComponent(m[1]), m[2] ? decodeURIComponent(m[2]) : null).catch(showError);
  } else {
    stopLogPolling();
    state.detail = null;
    $('detail').hidden = true;
    $('overview').hidden = false;
  }
  $('main').focus({ preventScroll: true });
}

function start() {
  $('cancel').addEventListener('click', cancelJob);
  $('rerun').addEventListener('click', rerunJob);
  $('older').addEventListener('click', () => loadOlder().catch(showError));
  $('follow').addEventListener('change', () => {
    const a = state.detail && selectedAttempt();
    if ($('follow').checked && a && a.state === 'RUNNING') startLogPolling();
    else stopLogPolling();
  });
  $('job-filters').addEventListener('submit', (e) => e.preventDefault());
  $('state-filter').addEventListener('change', (e) => {
    state.filter.state = e.target.value;
    loadJobs().catch(showError);
  });
  let typing = 0;
  $('name-filter').addEventListener('input', (e) => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      state.filter.name = e.target.value.trim();
      loadJobs().catch(showError);
    }, 250);
  });
  let typingWorker = 0;
  $('job-worker-filter').addEventListener('input', (e) => {
    clearTimeout(typingWorker);
    typingWorker = setTimeout(() => {
      state.filter.worker = e.target.value.trim();
      loadJobs().catch(showError);
    }, 250);
  });
  let typingLabels = 0;
  $('label-filter').addEventListener('input', (e) => {
    clearTimeout(typingLabels);
    typingLabels = setTimeout(() => {
      const parsed = parseLabels(e.target.value);
      const error = $('label-filter-error');
      error.hidden = !parsed.error;
      error.textContent = parsed.error || '';
      e.target.setAttribute('aria-invalid', parsed.error ? 'true' : 'false');
      if (parsed.error) return;
      state.filter.labels = parsed.labels;
      loadJobs().catch(showError);
    }, 250);
  });
  // used CPUs and memory change with every placement, which is not an event of its own
  setInterval(() => loadWorkers().catch(showError), 5000);
  // fires and next times move with the clock; schedules change rarely: a light poll, no event of their own
  setInterval(() => loadSchedules().catch(showError), 2000);
  setInterval(() => {
    document.querySelectorAll('td.age').forEach((td) => { td.textContent = age(td.dataset.since); });
    tickDurations();
  }, 1000);
  // this master's own view: which masters are up, and whether this one leads (no event when a standby dies)
  setInterval(() => loadCluster().catch(showError), 3000);
  $('worker-filters').addEventListener('submit', (e) => e.preventDefault());
  $('worker-filter').addEventListener('input', (e) => {
    state.workerFilter = e.target.value.trim();
    renderWorkers();
    filterEvents((ev) => !state.workerFilter || !ev.worker
      || workerMatches({ id: ev.worker, host: '', labels: ev.labels || {} }));
  });
  window.addEventListener('hashchange', route);
  route();
  resync();
  connect();
  startHistory();
}

start();
