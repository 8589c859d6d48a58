// The task DAG as SVG, left to right: a task's column is its longest path from a root; within a column tasks
// are ordered by the mean row of their dependencies. Large jobs fall back to a plain list.
import { el, svg } from './dom.js';

export const MAX_DRAWN = 150;
const COL = 190;
const ROW = 52;
const W = 150;
const H = 34;

export function layout(tasks) {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const layer = new Map();
  const visiting = new Set();
  const depth = (id) => {
    if (layer.has(id)) return layer.get(id);
    if (visiting.has(id)) return 0;
    visiting.add(id);
    const deps = (byId.get(id)?.dependsOn || []).filter((d) => byId.has(d));
    const value = deps.length === 0 ? 0 : 1 + Math.max(...deps.map(depth));
    layer.set(id, value);
    return value;
  };
  tasks.forEach((t) => depth(t.id));
  const columns = [];
  tasks.forEach((t) => (columns[layer.get(t.id)] ||= []).push(t));
  const row = new Map();
  columns.forEach((col, c) => {
    if (c > 0) {
      const mean = (t) => {
        const deps = (t.dependsOn || []).filter((d) => row.has(d));
        return deps.length ? deps.reduce((s, d) => s + row.get(d), 0) / deps.length : 0;
      };
      col.sort((a, b) => mean(a) - mean(b));
    }
    col.forEach((t, r) => row.set(t.id, r));
  });
  const rows = Math.max(1, ...columns.map((c) => c.length));
  const pos = new Map();
  columns.forEach((col, c) => {
    const offset = ((rows - col.length) * ROW) / 2;
    col.forEach((t, r) => pos.set(t.id, { x: 10 + c * COL, y: 10 + offset + r * ROW }));
  });
  return { pos, width: 20 + (columns.length - 1) * COL + W, height: 20 + (rows - 1) * ROW + H };
}

/**
 * Draws {@code tasks} into {@code container}; {@code onSelect(taskId)} when a task is clicked or chosen by key;
 * {@code reasonOf(task)} (optional) says why a task is in its state ({ text } or null), shown on its box.
 */
export function drawDag(container, tasks, selected, onSelect, reasonOf = () => null) {
  container.replaceChildren();
  if (tasks.length > MAX_DRAWN) {
    container.append(el('p', { class: 'hint', text: `${tasks.length} tasks: too many to draw; listed instead.` }),
      el('ul', { class: 'task-list' }, ...tasks.map((t) => el('li', {},
        el('button', { type: 'button', class: `task-chip s-${t.state}`, 'data-task-id': t.id, 'data-state': t.state,
          text: `${t.id} · ${t.state}`, onclick: () => onSelect(t.id) })))));
    return;
  }
  const { pos, width, height } = layout(tasks);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'group',
    'aria-label': `Task graph of ${tasks.length} tasks` });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.append(marker);
  root.append(defs);
  for (const t of tasks) {
    for (const d of t.dependsOn || []) {
      const a = pos.get(d);
      const b = pos.get(t.id);
      if (!a || !b) continue;
      const x1 = a.x + W;
      const y1 = a.y + H / 2;
      const x2 = b.x - 2;
      const y2 = b.y + H / 2;
      const mx = (x1 + x2) / 2;
      root.append(svg('path', { d: `M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`, class: 'edge',
        'marker-end': 'url(#arrow)' }));
    }
  }
  for (const t of tasks) {
    const p = pos.get(t.id);
    const why = reasonOf(t);
    const g = svg('g', { class: `node s-${t.state}${t.id === selected ? ' selected' : ''}`, tabindex: 0, role: 'button',
      'data-task-id': t.id, 'data-state': t.state, 'aria-label': `Task ${t.id}, ${t.state}${why ? `, ${why.text}` : ''}`,
      transform: `translate(${p.x},${p.y})` });
    g.append(svg('title', { text: `${t.id}: ${t.state}${why ? ` — ${why.text}` : ''}` }));
    g.append(svg('rect', { width: W, height: H, rx: 7 }));
    const label = t.id.length > 20 ? `${t.id.slice(0, 19)}…` : t.id;
    g.append(svg('text', { x: 10, y: 15, class: 'id', text: label }));
    const st = why ? `${t.state.toLowerCase()} · ${why.text}` : t.state.toLowerCase();
    g.append(svg('text', { x: 10, y: 28, class: 'st', text: st.length > 26 ? `${st.slice(0, 25)}…` : st }));
    g.addEventListener('click', () => onSelect(t.id));
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        onSelect(t.id);
      }
    });
    root.append(g);
  }
  container.append(root);
}
