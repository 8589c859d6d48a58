// Baton's live status page. Loads the cluster, workers and newest jobs from /api/v1, then follows
// /api/v1/events (server-sent events) to update without reloading; after a lost connection it re-reads
// everything. Plain ES modules; every value enters the DOM as text, never markup.
import { API, ApiError, getJson, getText, post } from './api.js';
import { $, el, badge, bar, time, duration, since, TERMINAL } from './dom.js';
import { drawDag } from './dag.js';

const PAGE = 50;
const MAX_ROWS = 500;

const state = {
  cluster: null,
  leaderSince: new Map(),
  workers: new Map(),
  schedules: [],
  jobs: new Map(),
  nextBefore: null,
  filter: { state: '', name: '' },
  detail: null, // { id, job, task, attempt }
  logTimer: null,
};

// ---------- cluster ----------

async function loadCluster() {
  const c = await getJson('/cluster');
  state.cluster = c;
  renderCluster();
}

function renderCluster() {
  const c = state.cluster;
  if (!c) return;
  if (c.leader) {
    const key = `${c.leader.epoch}`;
    if (!state.leaderSince.has(key)) state.leaderSince.set(key, new Date().toISOString());
    $('leader').replaceChildren(el('span', { text: c.leader.restUrl, title: c.leader.address }));
    $('epoch').textContent = c.leader.epoch;
    $('leader-since').textContent = time(state.leaderSince.get(key));
  } else {
    $('leader').replaceChildren(el('strong', { class: 'warn', text: 'none elected' }));
    $('epoch').textContent = '—';
    $('leader-since').textContent = '—';
  }
  $('masters').replaceChildren(...(c.masters.length ? c.masters : ['—']).map((m) =>
    el('span', { class: `master${c.leader && m === c.leader.restUrl ? ' leading' : ''}`, text: m })));
  $('zookeeper').replaceChildren(el('span', { class: `zk zk-${c.zookeeper}`, text: c.zookeeper }));
  $('self').textContent = `${c.self.restUrl} (${c.self.isLeader ? 'leader' : 'standby'})`;
}

// ---------- workers ----------

async function loadWorkers() {
  const body = await getJson('/workers');
  state.workers = new Map(body.workers.map((w) => [w.id, w]));
  renderWorkers();
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
  const all = [...state.workers.values()].sort((a, b) => a.id.localeCompare(b.id));
  const live = all.filter((w) => w.state !== 'DEAD');
  const dead = all.filter((w) => w.state === 'DEAD');
  $('workers').replaceChildren(...(live.length ? live.map(workerRow)
    : [el('tr', {}, el('td', { colspan: 8, class: 'empty', text: 'No live workers.' }))]));
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
    el('td', {}, badge(j.state)),
    el('td', {}, bar(j.tasksSucceeded, j.tasksTotal, `${j.tasksSucceeded} / ${j.tasksTotal} tasks`, true),
      el('span', { class: 'sr-only', text: `${pct}%` })),
    el('td', { text: time(j.submittedAt) }),
    el('td', { class: 'num', text: duration(since(j.submittedAt, j.finishedAt)) }));
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
  const known = state.jobs.has(job.id);
  if (known || (matches(job) && isNewerThanShown(job))) {
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
    ['Progress', bar(j.tasksSucceeded, j.tasksTotal, `${j.tasksSucceeded} / ${j.tasksTotal} tasks`, true)],
    ['Submitted', time(j.submittedAt)],
    ['Started', time(j.startedAt)],
    ['Finished', time(j.finishedAt)],
    ['Duration', duration(since(j.startedAt || j.submittedAt, j.finishedAt))],
  ];
  const labels = Object.entries(j.labels || {});
  const jobLink = (id) => el('a', { href: `#/jobs/${encodeURIComponent(id)}`, class: 'mono', text: id });
  if (j.rerunOf) facts.push(['Rerun of', jobLink(j.rerunOf)]);
  if (j.reruns && j.reruns.length) facts.push(['Rerun by', el('span', {}, ...j.reruns.map(jobLink))]);
  if (labels.length) facts.push(['Labels', el('span', {}, ...labels.map(([k, v]) => el('span', { class: 'chip', text: `${k}=${v}` })))]);
  $('job-summary').replaceChildren(...facts.map(([k, v]) => el('div', {}, el('dt', { text: k }),
    typeof v === 'string' ? el('dd', { text: v }) : el('dd', {}, v))));
  $('job-summary').setAttribute('data-state', j.state);
  $('cancel').hidden = TERMINAL.has(j.state);
  $('rerun').hidden = !TERMINAL.has(j.state) || j.state === 'SUCCEEDED';
  drawDag($('dag'), j.tasks, d.task, (taskId) => selectTask(taskId));
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
      el('td', {}, el('button', { type: 'button', class: 'link', 'aria-pressed': chosen ? 'true' : 'false',
        text: 'View log', onclick: () => selectAttempt(a.task, a.attempt) })));
  }) : [el('tr', {}, el('td', { colspan: 8, class: 'empty',
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
    pre.textContent = text.length ? text : '(empty log)';
    pre.dataset.loaded = `${sel.task}#${sel.attempt}`;
  } catch (e) {
    if (state.detail !== d || d.attempt !== sel) return;
    pre.textContent = `No log: ${e.message}`;
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
  // used CPUs and memory change with every placement, which is not an event of its own
  setInterval(() => loadWorkers().catch(showError), 5000);
  // fires and next times move with the clock; schedules change rarely: a light poll, no event of their own
  setInterval(() => loadSchedules().catch(showError), 2000);
  setInterval(() => {
    document.querySelectorAll('td.age').forEach((td) => { td.textContent = age(td.dataset.since); });
  }, 1000);
  window.addEventListener('hashchange', route);
  route();
  resync();
  connect();
}

start();
