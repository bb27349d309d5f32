import { h } from './dom.js';

export const TASK_STATES = ['WAITING', 'READY', 'RUNNING', 'SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'];
export const JOB_STATES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
export const DONE_STATES = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'];

const nf = new Intl.NumberFormat('en');
export const num = (n) => nf.format(n ?? 0);

export function doneOf(counts) {
  return DONE_STATES.reduce((sum, st) => sum + ((counts && counts[st]) || 0), 0);
}

/** A state as a badge: text and colour, so it reads without colour too. */
export function badge(state) {
  return h('span', { class: `badge st-${String(state).toLowerCase()}`, text: state });
}

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  const sameDay = d.toDateString() === new Date().toDateString();
  return sameDay ? d.toLocaleTimeString('en-GB') : d.toLocaleString('en-GB');
}

/** A <time> element: local time shown, exact ISO time in the title. */
export function timeEl(iso) {
  if (!iso) return h('span', { class: 'muted', text: '—' });
  return h('time', { datetime: iso, title: iso, text: time(iso) });
}

export function duration(ms) {
  if (ms === null || ms === undefined || !isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const hrs = Math.floor(m / 60);
  return `${hrs} h ${m % 60} min`;
}

export function between(fromIso, toIso) {
  if (!fromIso) return null;
  return (toIso ? new Date(toIso) : new Date()) - new Date(fromIso);
}

/** A stacked bar of counts per state: one segment per state, widths by share. */
export function stackBar(counts, total, label) {
  const bar = h('div', { class: 'stack', role: 'img', 'aria-label': label || stackLabel(counts, total) });
  updateStackBar(bar, counts, total, label);
  return bar;
}

export function updateStackBar(bar, counts, total, label) {
  const segs = bar.children;
  TASK_STATES.forEach((st, i) => {
    let seg = segs[i];
    if (!seg) { seg = h('span', { class: `seg st-${st.toLowerCase()}` }); bar.appendChild(seg); }
    const n = (counts && counts[st]) || 0;
    seg.style.width = total > 0 ? `${(100 * n) / total}%` : '0';
  });
  bar.setAttribute('aria-label', label || stackLabel(counts, total));
}

export function stackLabel(counts, total) {
  const parts = TASK_STATES.filter((st) => counts && counts[st]).map((st) => `${num(counts[st])} ${st.toLowerCase()}`);
  return `${num(total)} tasks: ${parts.join(', ') || 'none yet'}`;
}

export function percent(done, total) {
  if (!total) return '0%';
  const p = (100 * done) / total;
  return `${p >= 99.95 && done < total ? '99.9' : p < 10 ? p.toFixed(1) : Math.floor(p)}%`;
}

export function problemText(err) {
  const p = err.problem || {};
  const text = [p.title, p.detail].filter(Boolean).join(': ') || err.message;
  return err.retryAfter ? `${text} (retry after ${err.retryAfter} s)` : text;
}
