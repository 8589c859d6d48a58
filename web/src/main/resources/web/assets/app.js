// Baton's first plain status page: polls the REST API every 2 s and renders with DOM calls only
// (textContent, never innerHTML), so nothing a job spec contains can become markup.
const API = '/api/v1';
const REFRESH_MS = 2000;
const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  if (className) e.className = className;
  return e;
}

function stateCell(state) {
  return el('td', state, 'state state-' + state);
}

function link(href, text) {
  const a = el('a', text);
  a.href = href;
  return a;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleString() : '—';
}

async function getJson(path) {
  const response = await fetch(API + path, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(body.detail || response.statusText);
    error.status = response.status;
    throw error;
  }
  return body;
}

function fillRows(tbody, rows, columns, emptyText) {
  tbody.replaceChildren();
  if (rows.length === 0) {
    const tr = el('tr');
    const td = el('td', emptyText, 'empty');
    td.colSpan = columns;
    tr.append(td);
    tbody.append(tr);
    return;
  }
  rows.forEach((cells) => {
    const tr = el('tr');
    tr.append(...cells);
    tbody.append(tr);
  });
}

async function renderOverview() {
  const cluster = await getJson('/cluster');
  $('leader').textContent = cluster.leader
    ? `${cluster.leader.restUrl} (epoch ${cluster.leader.epoch})`
    : 'none elected';
  $('self').textContent = `${cluster.self.restUrl}${cluster.self.isLeader ? ' (leader)' : ' (standby)'}`;
  $('zookeeper').textContent = cluster.zookeeper;

  const { workers } = await getJson('/workers');
  fillRows($('workers'), workers.map((w) => [
    el('td', w.id), el('td', w.host), stateCell(w.state),
    el('td', `${w.cpusUsed} / ${w.cpus}`), el('td', `${w.memoryMbUsed} / ${w.memoryMb}`),
    el('td', w.runningAttempts),
    el('td', Object.entries(w.labels).map(([k, v]) => `${k}=${v}`).join(', ') || '—'),
    el('td', time(w.lastHeartbeatAt)),
  ]), 8, 'No workers registered.');

  const { jobs } = await getJson('/jobs?limit=50');
  fillRows($('jobs'), jobs.map((j) => {
    const id = el('td');
    id.append(link('#/jobs/' + encodeURIComponent(j.id), j.id));
    return [id, el('td', j.name), stateCell(j.state), el('td', `${j.tasksSucceeded} / ${j.tasksTotal}`),
      el('td', time(j.submittedAt)), el('td', time(j.finishedAt))];
  }), 6, 'No jobs yet.');
}

async function renderJob(jobId) {
  const job = await getJson('/jobs/' + encodeURIComponent(jobId));
  $('job-heading').textContent = `Job ${job.name} (${job.id})`;
  const summary = $('job-summary');
  summary.replaceChildren();
  [['State', job.state], ['Submitted', time(job.submittedAt)], ['Started', time(job.startedAt)],
    ['Finished', time(job.finishedAt)], ['Tasks done', `${job.tasksSucceeded} / ${job.tasksTotal}`]]
    .forEach(([k, v]) => summary.append(el('dt', k), el('dd', v)));

  const tasks = $('tasks');
  tasks.replaceChildren();
  job.tasks.forEach((t) => {
    const article = el('article');
    const heading = el('h4');
    heading.append(el('code', t.id), ' ', el('span', t.state, 'state state-' + t.state));
    const what = t.handler
      ? `handler ${t.handler} ${JSON.stringify(t.args)}`
      : t.command.join(' ');
    const meta = el('p');
    meta.append(el('code', what));
    if (t.dependsOn.length > 0) meta.append(` — after ${t.dependsOn.join(', ')}`);
    const table = el('table');
    const head = el('tr');
    ['Attempt', 'State', 'Worker', 'Exit code', 'Started', 'Finished', 'Log']
      .forEach((h) => { const th = el('th', h); th.scope = 'col'; head.append(th); });
    table.append(el('thead'), el('tbody'));
    table.tHead.append(head);
    fillRows(table.tBodies[0], t.attempts.map((a) => {
      const logCell = el('td');
      logCell.append(link(`${API}/jobs/${encodeURIComponent(job.id)}/tasks/${encodeURIComponent(t.id)}/log?attempt=${a.attempt}`, 'log'));
      return [el('td', a.attempt), stateCell(a.state), el('td', a.workerId ?? '—'), el('td', a.exitCode ?? '—'),
        el('td', time(a.startedAt)), el('td', time(a.finishedAt)), logCell];
    }), 7, 'Not started yet.');
    article.append(heading, meta, table);
    tasks.append(article);
  });
}

async function refresh() {
  const match = location.hash.match(/^#\/jobs\/(.+)$/);
  $('overview').hidden = Boolean(match);
  $('detail').hidden = !match;
  try {
    if (match) {
      await renderJob(decodeURIComponent(match[1]));
    } else {
      await renderOverview();
    }
    $('status').textContent = 'Updated ' + new Date().toLocaleTimeString();
    $('status').className = '';
  } catch (error) {
    $('status').textContent = error.status === 503
      ? `Unavailable: ${error.message}`
      : `Could not load: ${error.message}`;
    $('status').className = 'error';
  }
}

window.addEventListener('hashchange', refresh);
refresh();
setInterval(refresh, REFRESH_MS);
