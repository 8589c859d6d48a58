// DOM helpers. Text goes in through textContent only, never markup, so nothing in a job spec becomes HTML.
export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'text') e.textContent = String(v);
    else if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

export function svg(tag, attrs = {}) {
  const e = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'text') e.textContent = String(v);
    else e.setAttribute(k, String(v));
  }
  return e;
}

export function badge(state) {
  return el('span', { class: `badge s-${state}`, text: state });
}

/** A labelled bar: used of total, with the numbers as text for screen readers and sighted users alike. */
export function bar(used, total, label, progress = false) {
  const pct = total > 0 ? Math.min(100, Math.round((used / total) * 100)) : 0;
  const fill = el('span', { class: 'fill' });
  fill.style.width = `${pct}%`;
  const kind = progress ? (pct === 100 ? ' done' : ' progress') : (pct >= 90 ? ' high' : '');
  return el('div', { class: `bar${kind}`, role: 'img', 'aria-label': `${label}: ${pct}%` },
    el('span', { class: 'track' }, fill), el('span', { class: 'num', text: label }));
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

export function duration(ms) {
  if (ms === null || ms === undefined || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} m ${s % 60} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} m`;
}

export function since(fromIso, toIso) {
  if (!fromIso) return null;
  const end = toIso ? Date.parse(toIso) : Date.now();
  return end - Date.parse(fromIso);
}

export const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
