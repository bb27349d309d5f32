import dagre from '../../vendor/dagre.esm.js';
import { s, h, replace } from '../dom.js';
import { TASK_STATES, num, stackLabel } from '../format.js';

const W = 200;
const H = 70;
const BAR_W = W - 24;
/** More boxes than this are listed, not drawn: nobody reads a drawing of them. */
export const MAX_DRAWN = 120;

/**
 * The job's graph by template: a box per template with its expansion count and a bar of its
 * tasks by state, and the dependencies between templates as arrows. Laid out once by dagre;
 * later updates only resize the bars.
 */
export class GraphView {
  constructor({ onPick } = {}) {
    this.onPick = onPick;
    this.el = h('div', { class: 'graph' });
    this.boxes = new Map();
    this.shape = '';
  }

  update(graph) {
    const shape = graph.templates.map((t) => `${t.id}<${t.deps.join(',')}`).join(';');
    if (shape !== this.shape) {
      this.shape = shape;
      this.draw(graph);
    }
    for (const t of graph.templates) {
      const box = this.boxes.get(t.id);
      if (box) this.paintBox(box, t);
    }
  }

  draw(graph) {
    this.boxes.clear();
    if (graph.templates.length > MAX_DRAWN) {
      replace(this.el, h('p', { class: 'muted', text: `${num(graph.templateCount)} templates: too many to draw; the task table below lists their tasks.` }));
      return;
    }
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 60, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const t of graph.templates) g.setNode(t.id, { width: W, height: H });
    for (const t of graph.templates) for (const d of t.deps) if (g.hasNode(d)) g.setEdge(d, t.id);
    dagre.layout(g);
    const { width, height } = g.graph();
    const svg = s('svg', {
      viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, width: Math.ceil(width), height: Math.ceil(height),
      role: 'group', 'aria-label': `Graph of ${graph.templates.length} templates and their dependencies`,
    });
    svg.appendChild(s('defs', {}, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-head' }))));
    for (const e of g.edges()) {
      const pts = g.edge(e).points;
      svg.appendChild(s('path', { class: 'edge', 'marker-end': 'url(#arrow)', d: pts.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ') }));
    }
    for (const t of graph.templates) {
      const n = g.node(t.id);
      const x = n.x - W / 2;
      const y = n.y - H / 2;
      const title = s('title');
      const bar = s('g', { transform: `translate(${x + 12},${y + H - 20})` },
        s('rect', { class: 'bar-bg', width: BAR_W, height: 10, rx: 2 }),
        TASK_STATES.map((st) => s('rect', { class: `seg st-${st.toLowerCase()}`, height: 10, width: 0, dataset: { state: st } })));
      const count = s('text', { x: x + W - 12, y: y + 22, class: 'count', 'text-anchor': 'end' });
      const group = s('g', { class: 'tpl', tabindex: '0', role: 'button', dataset: { template: t.id },
        on: this.onPick ? {
          click: () => this.onPick(t.id),
          keydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.onPick(t.id); } },
        } : {} },
      title,
      s('rect', { class: 'box', x, y, width: W, height: H, rx: 6 }),
      s('text', { x: x + 12, y: y + 22, class: 'tpl-id', text: clip(t.id, 18) }),
      count,
      s('text', { x: x + 12, y: y + 40, class: 'tpl-fn', text: clip(t.fn, 28) }),
      bar);
      svg.appendChild(group);
      this.boxes.set(t.id, { group, title, count, bar });
    }
    replace(this.el, svg);
    // a graph up to twice the card's width is shrunk to fit; a wider one scrolls at full size
    const room = this.el.clientWidth;
    if (room > 0 && width > room && width < 2 * room) svg.classList.add('fit');
    if (graph.truncated) this.el.appendChild(h('p', { class: 'muted', text: `Showing ${graph.templates.length} of ${num(graph.templateCount)} templates; some edges are left out.` }));
  }

  paintBox(box, t) {
    box.count.textContent = t.forEach ? `×${num(t.tasks)}` : '';
    let x = 0;
    for (const seg of box.bar.querySelectorAll('rect.seg')) {
      const n = t.counts[seg.dataset.state] || 0;
      const w = t.tasks ? (BAR_W * n) / t.tasks : 0;
      seg.setAttribute('x', x.toFixed(2));
      seg.setAttribute('width', w.toFixed(2));
      x += w;
    }
    const label = `${t.id} (${t.fn}): ${stackLabel(t.counts, t.tasks)}`;
    // the <title> is the box's name and tooltip; the visible text stays as drawn
    box.title.textContent = label;
  }
}

function clip(text, n) {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
