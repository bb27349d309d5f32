import { h, replace, debounce } from '../dom.js';

const ROW = 32;
const PAGE = 100;
const KEEP_PAGES = 12;
// Browsers cap an element's height (Chromium near 33.5 million px); past this the scroll bar
// maps to rows by proportion instead of by pixel, so two million rows still scroll end to end.
const MAX_PX = 8_000_000;

/**
 * A table of `total` rows that only ever holds the rows in view: rows are fetched a page at a
 * time from the server (`load(offset, limit)` resolves to {total, rows}), the last few pages are
 * kept, and the DOM has about as many rows as fit the viewport, whatever the total.
 *
 * columns: [{title, cell(row) -> Node|string, className}]
 */
export class VirtualTable {
  constructor({ columns, load, onSelect, label, empty = 'Nothing to show.', height = 420 }) {
    this.columns = columns;
    this.load = load;
    this.onSelect = onSelect;
    this.empty = empty;
    this.total = 0;
    this.pages = new Map();
    this.loading = new Set();
    this.generation = 0;
    this.selectedId = null;

    this.head = h('div', { class: 'vt-row vt-head', role: 'row' },
      columns.map((c) => h('div', { class: ['vt-cell', c.className], role: 'columnheader', text: c.title })));
    this.spacer = h('div', { class: 'vt-spacer' });
    this.body = h('div', { class: 'vt-body' });
    this.note = h('div', { class: 'vt-empty muted', hidden: true, text: empty });
    // the scrolling box is the rows' group, focusable so that keys scroll it
    this.viewport = h('div', { class: 'vt-viewport', role: 'rowgroup', tabindex: '0', 'aria-label': `${label}: rows` }, this.spacer, this.body);
    this.viewport.style.height = `${height}px`;
    this.table = h('div', { class: 'vt', role: 'table', 'aria-label': label, 'aria-rowcount': '0' },
      h('div', { role: 'rowgroup' }, this.head), this.viewport);
    this.el = h('div', { class: 'vt-wrap' }, this.table, this.note);
    this.viewport.addEventListener('scroll', () => { this.paint(); this.fetchSoon(); }, { passive: true });
    this.fetchSoon = debounce(() => this.fetchVisible(), 60);
    this.resize = new ResizeObserver(() => this.paint());
    this.resize.observe(this.viewport);
  }

  /** Drops every row and starts from the top (a new filter). */
  reset() {
    this.generation++;
    this.pages.clear();
    this.loading.clear();
    this.viewport.scrollTop = 0;
    return this.fetchVisible();
  }

  /** Fetches the rows in view again, keeping the scroll position (the job moved on). */
  refresh() {
    this.generation++;
    this.loading.clear();
    const keep = new Set(this.visiblePages());
    for (const p of this.pages.keys()) if (!keep.has(p)) this.pages.delete(p);
    return this.fetchVisible(true);
  }

  window() {
    const viewH = this.viewport.clientHeight || 400;
    const visible = Math.ceil(viewH / ROW) + 1;
    const natural = this.total * ROW;
    const top = this.viewport.scrollTop;
    if (natural <= MAX_PX) {
      const first = Math.floor(top / ROW);
      return { first, count: visible, offsetPx: first * ROW };
    }
    const scrollable = Math.max(1, MAX_PX - viewH);
    const first = Math.floor(Math.min(1, top / scrollable) * Math.max(0, this.total - visible + 1));
    return { first, count: visible, offsetPx: top };
  }

  visiblePages() {
    const { first, count } = this.window();
    const out = [];
    for (let p = Math.floor(first / PAGE); p <= Math.floor((first + count) / PAGE); p++) out.push(p);
    return out;
  }

  async fetchVisible(force) {
    const generation = this.generation;
    const wanted = this.visiblePages().filter((p) => (force || !this.pages.has(p)) && !this.loading.has(p));
    await Promise.all(wanted.map(async (p) => {
      this.loading.add(p);
      try {
        const { total, rows } = await this.load(p * PAGE, PAGE);
        if (generation !== this.generation) return;
        this.pages.set(p, rows);
        if (this.pages.size > KEEP_PAGES) this.pages.delete(this.pages.keys().next().value);
        this.setTotal(total);
      } finally {
        this.loading.delete(p);
      }
    }));
    if (generation === this.generation) this.paint();
  }

  setTotal(total) {
    if (total === this.total) return;
    this.total = total;
    this.spacer.style.height = `${Math.min(total * ROW, MAX_PX)}px`;
    this.table.setAttribute('aria-rowcount', String(total + 1));
  }

  rowAt(i) {
    const page = this.pages.get(Math.floor(i / PAGE));
    return page ? page[i % PAGE] : undefined;
  }

  paint() {
    const { first, count, offsetPx } = this.window();
    this.note.hidden = this.total > 0 || this.loading.size > 0;
    this.body.style.transform = `translateY(${offsetPx}px)`;
    const out = [];
    for (let i = first; i < Math.min(this.total, first + count); i++) {
      const row = this.rowAt(i);
      if (row === undefined) {
        out.push(h('div', { class: 'vt-row loading', role: 'row', 'aria-rowindex': i + 2 },
          h('div', { class: 'vt-cell muted', role: 'cell', text: '…' })));
        continue;
      }
      const tr = h('div', {
        class: ['vt-row', row.id === this.selectedId && 'selected'], role: 'row', tabindex: '0',
        'aria-rowindex': i + 2,
        dataset: { id: row.id },
        on: {
          click: () => this.select(row),
          keydown: (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); this.select(row); } },
        },
      }, this.columns.map((c) => h('div', { class: ['vt-cell', c.className], role: 'cell' }, c.cell(row))));
      out.push(tr);
    }
    const focused = this.body.contains(document.activeElement) ? document.activeElement.dataset.id : null;
    replace(this.body, out);
    if (focused) {
      const again = out.find((r) => r.dataset.id === focused);
      if (again) again.focus({ preventScroll: true });
    }
  }

  select(row) {
    this.selectedId = row.id;
    this.paint();
    if (this.onSelect) this.onSelect(row);
  }

  destroy() {
    this.resize.disconnect();
    this.fetchSoon.cancel();
    this.generation++;
  }
}
