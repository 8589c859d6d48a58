// How the cluster did over the last hour: jobs finished and failed per minute, attempt duration percentiles per
// minute, the placement queue's depth, and a timeline of cluster events (leader changes, masters and workers
// coming and going). Fed by what the page already receives (job and worker events, the cluster view), seeded at
// start from the newest jobs, and by sampling GET /api/v1/stats for the queue. Kept in this tab's localStorage so
// a reload keeps the hour. Drawn with uPlot (MIT), served from its WebJar.
import uPlot from '/vendor/uplot/uPlot.esm.js';
import { getJson } from './api.js';
import { $, el, time } from './dom.js';

const HOUR = 3600 * 1000;
const MINUTE = 60 * 1000;
const KEY = 'baton.history.v1';
const MAX_EVENTS = 300;
const MAX_DURATIONS = 1000;
const DETAIL_FETCHES = 20; // at start: the attempt durations of at most this many recent jobs

const history = load();
const charts = {};
const fetchQueue = [];
let fetching = 0;
let dirty = false;
let eventFilter = () => true;

function load() {
  const empty = { minutes: {}, counted: {}, durations: {}, queue: [], events: [] };
  try {
    const h = JSON.parse(localStorage.getItem(KEY) || 'null');
    return h && h.minutes ? { ...empty, ...h } : empty;
  } catch (e) {
    return empty;
  }
}

function save() {
  prune();
  try {
    localStorage.setItem(KEY, JSON.stringify(history));
  } catch (e) {
    // full or disabled storage: the charts still work for this page's life
  }
}

function prune() {
  const from = Date.now() - HOUR - MINUTE;
  for (const m of Object.keys(history.minutes)) if (Number(m) < from) delete history.minutes[m];
  for (const m of Object.keys(history.durations)) if (Number(m) < from) delete history.durations[m];
  for (const [id, at] of Object.entries(history.counted)) if (at < from) delete history.counted[id];
  history.queue = history.queue.filter(([t]) => t >= from);
  history.events = history.events.filter((e) => e.at >= Date.now() - 24 * HOUR).slice(-MAX_EVENTS);
}

const minuteOf = (ms) => Math.floor(ms / MINUTE) * MINUTE;

// ---------- what goes in ----------

/** A job summary or detail: counted once when it reaches a final state within the hour. */
export function noteJob(job) {
  if (!job.finishedAt || !['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state)) return;
  const at = Date.parse(job.finishedAt);
  if (at < Date.now() - HOUR || history.counted[job.id]) return;
  history.counted[job.id] = at;
  const m = (history.minutes[minuteOf(at)] ||= { succeeded: 0, failed: 0, cancelled: 0 });
  m[job.state.toLowerCase()] += 1;
  if (job.tasks) noteAttempts(job);
  else if (job.tasksTotal <= 500) enqueueDetail(job.id); // a huge job's detail is not worth a chart point
  changed();
}

function noteAttempts(job) {
  for (const t of job.tasks) {
    for (const a of t.attempts || []) {
      if (!a.startedAt || !a.finishedAt) continue;
      const end = Date.parse(a.finishedAt);
      if (end < Date.now() - HOUR) continue;
      const list = (history.durations[minuteOf(end)] ||= []);
      if (list.length < MAX_DURATIONS) list.push(end - Date.parse(a.startedAt));
    }
  }
}

function enqueueDetail(id) {
  if (fetchQueue.length >= 50) fetchQueue.shift(); // under a burst, the newest jobs are sampled
  fetchQueue.push(id);
  pump();
}

function pump() {
  while (fetching < 2 && fetchQueue.length) {
    const id = fetchQueue.shift();
    fetching += 1;
    getJson(`/jobs/${encodeURIComponent(id)}`).then((job) => {
      noteAttempts(job);
      changed();
    }).catch(() => {}).finally(() => {
      fetching -= 1;
      pump();
    });
  }
}

/** At start: the newest jobs finished within the hour, and the attempts of the newest few of them. */
export async function seed() {
  const body = await getJson('/jobs?limit=1000');
  const recent = body.jobs.filter((j) => j.finishedAt && Date.parse(j.finishedAt) >= Date.now() - HOUR);
  let details = 0;
  for (const j of recent) {
    if (history.counted[j.id]) continue;
    const at = Date.parse(j.finishedAt);
    history.counted[j.id] = at;
    const m = (history.minutes[minuteOf(at)] ||= { succeeded: 0, failed: 0, cancelled: 0 });
    m[j.state.toLowerCase()] += 1;
    if (j.tasksTotal <= 500 && details++ < DETAIL_FETCHES) enqueueDetail(j.id);
  }
  changed();
}

/** Samples the leader's placement queue. */
export async function sampleQueue() {
  const s = await getJson('/stats');
  if (!s.leader) return;
  history.queue.push([Date.now(), s.placementQueue]);
  changed();
}

/** A cluster event for the timeline: kind (leader, master-down, master-up, worker-joined, worker-dead, ...). */
export function noteEvent(kind, text, subject = {}) {
  // a reload sees the same leader again: it goes on the timeline once
  const lastLeader = kind === 'leader' && [...history.events].reverse().find((e) => e.kind === 'leader');
  if (lastLeader && lastLeader.text === text) return;
  history.events.push({ at: Date.now(), kind, text, worker: subject.worker || null,
    labels: subject.labels || null });
  changed();
}

/** Which timeline events show: {@code test(event)}; the workers filter sets it. */
export function filterEvents(test) {
  eventFilter = test;
  renderTimeline();
}

function changed() {
  dirty = true;
}

// ---------- drawing ----------

function colours() {
  const css = getComputedStyle(document.documentElement);
  const v = (name) => css.getPropertyValue(name).trim();
  return { ink: v('--muted'), grid: v('--line'), ok: v('--fill-done'), bad: v('--fill-bad'), off: v('--fill-off'),
    run: v('--fill'), wait: v('--wait') };
}

const clock = (s) => new Date(s * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

function axes(c, unit) {
  const axis = { stroke: c.ink, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1 } };
  return [{ ...axis, values: (u, splits) => splits.map(clock) }, { ...axis, size: 50, label: unit, labelSize: 14 }];
}

function make(id, series, unit, extra = {}) {
  const host = $(id);
  const c = colours();
  const opts = {
    width: Math.max(240, host.clientWidth || 360), height: 170,
    legend: { live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(1, (max || 0) * 1.1)] } },
    axes: axes(c, unit),
    series: [{}, ...series(c)],
    ...extra,
  };
  host.replaceChildren();
  charts[id] = new uPlot(opts, [[], ...series(c).map(() => [])], host);
}

function build() {
  // side by side within their minute: succeeded left of the tick, failed right of it
  const left = uPlot.paths.bars({ size: [0.45, 14], align: -1 });
  const right = uPlot.paths.bars({ size: [0.45, 14], align: 1 });
  make('chart-jobs', (c) => [
    { label: 'succeeded', stroke: c.ok, fill: c.ok, paths: left, points: { show: false } },
    { label: 'failed', stroke: c.bad, fill: c.bad, paths: right, points: { show: false } },
  ], 'jobs / min');
  make('chart-durations', (c) => [
    { label: 'p50', stroke: c.run, width: 2, spanGaps: false, points: { show: true, size: 5, fill: c.run } },
    { label: 'p95', stroke: c.wait, width: 2, spanGaps: false, points: { show: true, size: 5, fill: c.wait } },
    { label: 'max', stroke: c.bad, width: 1, dash: [4, 4], spanGaps: false, points: { show: true, size: 4 } },
  ], 'seconds');
  make('chart-queue', (c) => [
    { label: 'tasks waiting', stroke: c.run, fill: `${c.run}33`, width: 2, paths: uPlot.paths.stepped({ align: 1 }) },
  ], 'tasks');
}

function percentile(sorted, p) {
  if (!sorted.length) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

function draw() {
  const now = Date.now();
  const first = minuteOf(now - HOUR) + MINUTE;
  const xs = [];
  const ok = [];
  const bad = [];
  const p50 = [];
  const p95 = [];
  const max = [];
  let finished = 0;
  let failed = 0;
  let durationMinutes = 0;
  for (let m = first; m <= now; m += MINUTE) {
    xs.push(m / 1000);
    const c = history.minutes[m] || { succeeded: 0, failed: 0 };
    ok.push(c.succeeded || null); // an empty minute draws no bar
    bad.push(c.failed || null);
    finished += c.succeeded + c.failed + (c.cancelled || 0);
    failed += c.failed;
    const d = (history.durations[m] || []).slice().sort((a, b) => a - b);
    if (d.length) durationMinutes += 1;
    p50.push(d.length ? percentile(d, 0.5) / 1000 : null);
    p95.push(d.length ? percentile(d, 0.95) / 1000 : null);
    max.push(d.length ? d[d.length - 1] / 1000 : null);
  }
  const span = { min: first / 1000 - 30, max: now / 1000 + 30 };
  charts['chart-jobs'].batch(() => {
    charts['chart-jobs'].setData([xs, ok, bad], false);
    charts['chart-jobs'].setScale('x', span);
  });
  charts['chart-durations'].batch(() => {
    charts['chart-durations'].setData([xs, p50, p95, max], false);
    charts['chart-durations'].setScale('x', span);
  });
  const q = history.queue.filter(([t]) => t >= now - HOUR);
  charts['chart-queue'].batch(() => {
    charts['chart-queue'].setData([q.map(([t]) => t / 1000), q.map(([, n]) => n)], false);
    charts['chart-queue'].setScale('x', span);
  });
  const figure = (id, data) => Object.entries(data).forEach(([k, v]) => { $(id).dataset[k] = String(v); });
  figure('chart-jobs', { finished, failed });
  figure('chart-durations', { points: durationMinutes });
  figure('chart-queue', { points: q.length, max: q.reduce((a, [, n]) => Math.max(a, n), 0) });
  $('jobs-summary').textContent = `${finished} finished, ${failed} failed in the last hour`;
  $('queue-summary').textContent = q.length ? `${q[q.length - 1][1]} waiting now` : 'no sample yet';
}

function renderTimeline() {
  const shown = history.events.filter((e) => eventFilter(e)).slice(-50).reverse();
  $('timeline').replaceChildren(...(shown.length ? shown.map((e) => el('li', { 'data-kind': e.kind,
    'data-worker': e.worker },
  el('time', { datetime: new Date(e.at).toISOString(), text: time(new Date(e.at).toISOString()) }), ' ',
  el('span', { class: `ev ev-${e.kind}`, text: e.text })))
    : [el('li', { class: 'muted', text: 'Nothing yet: leader changes, masters and workers coming and going show here.' })]));
}

/** Creates the charts and redraws them (at most once a second) while anything changed. */
export function startCharts() {
  build();
  draw();
  renderTimeline();
  setInterval(() => {
    if (!dirty) return;
    dirty = false;
    draw();
    renderTimeline();
    save();
  }, 1000);
  // the hour moves on even when nothing happens
  setInterval(changed, 30 * 1000);
  let resizing = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      for (const [id, u] of Object.entries(charts)) u.setSize({ width: Math.max(240, $(id).clientWidth), height: 170 });
    }, 200);
  });
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const u of Object.values(charts)) u.destroy();
    build();
    draw();
  });
}
