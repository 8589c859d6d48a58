// The task DAG as SVG, left to right, laid out by dagre (@dagrejs/dagre 3.1.3, MIT, vendored in ./vendor/dagre):
// layers by longest path, crossings reduced, and every edge routed around the boxes it passes (no edge is
// drawn under a box it does not join). Large jobs fall back to a plain list.
import { graphlib, layout as dagreLayout } from './vendor/dagre/dagre.esm.js';
import { el, svg } from './dom.js';

export const MAX_DRAWN = 150;
const W = 150;
const H = 34;

/** Box positions (top-left) and edge routes (points, the last on the target's border) for {@code tasks}. */
export function layout(tasks) {
  const g = new graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 44, edgesep: 12, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  const ids = new Set(tasks.map((t) => t.id));
  tasks.forEach((t) => g.setNode(t.id, { width: W, height: H }));
  tasks.forEach((t) => (t.dependsOn || []).filter((d) => ids.has(d)).forEach((d) => g.setEdge(d, t.id)));
  dagreLayout(g);
  const pos = new Map(tasks.map((t) => {
    const n = g.node(t.id);
    return [t.id, { x: n.x - W / 2, y: n.y - H / 2 }];
  }));
  const edges = g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points }));
  const { width, height } = g.graph();
  return { pos, edges, width: Math.ceil(width), height: Math.ceil(height) };
}

/** A smooth path through dagre's points: straight at the ends, rounded at the bends. */
function route(points) {
  if (points.length < 3) return `M ${points.map((p) => `${p.x} ${p.y}`).join(' L ')}`;
  let d = `M ${points[0].x} ${points[0].y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const next = points[i + 1];
    const mx = i === points.length - 2 ? next.x : (p.x + next.x) / 2;
    const my = i === points.length - 2 ? next.y : (p.y + next.y) / 2;
    d += ` Q ${p.x} ${p.y}, ${mx} ${my}`;
  }
  return d;
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
  const { pos, edges, width, height } = layout(tasks);
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'group',
    'aria-label': `Task graph of ${tasks.length} tasks` });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7,
    orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }));
  defs.append(marker);
  root.append(defs);
  for (const e of edges) {
    root.append(svg('path', { d: route(e.points), class: 'edge', 'marker-end': 'url(#arrow)', 'data-from': e.from,
      'data-to': e.to, 'data-points': e.points.map((p) => `${Math.round(p.x)},${Math.round(p.y)}`).join(' ') }));
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
