import { h, replace } from '../dom.js';
import { api, jobPath } from '../api.js';
import { badge, timeEl, duration, between, problemText } from '../format.js';

/** Characters of a result shown in the page; the whole result is a download away. */
const SHOW_CHARS = 20000;

/** A task's details: attempts, node, times, error and result (large results cut, downloadable). */
export function taskPanel(jobId, taskId, onClose) {
  const title = h('h3', { id: 'task-h', tabindex: '-1', class: 'mono', text: taskId });
  const body = h('div', { class: 'task-body' }, h('p', { class: 'muted', text: 'Loading…' }));
  const el = h('section', { class: 'task-panel', 'aria-labelledby': 'task-h' },
    h('div', { class: 'panel-head' }, title,
      h('button', { type: 'button', class: 'link', 'aria-label': 'Close task details', text: 'Close', on: { click: onClose } })),
    body);
  let terminal = false;
  let url = null;

  async function load() {
    let t;
    try {
      t = await api(jobPath(jobId, `/tasks/${encodeURIComponent(taskId)}`));
    } catch (e) {
      replace(body, h('p', { class: 'error', role: 'alert', text: problemText(e) }));
      return;
    }
    terminal = ['SUCCEEDED', 'FAILED', 'SKIPPED', 'CANCELLED'].includes(t.state);
    const rows = [
      ['State', badge(t.state)],
      ['Attempts', String(t.attempts)],
      ['Node', h('span', { class: 'mono', text: t.node || '—' })],
      ['Started', timeEl(t.startedAt)],
      ['Finished', timeEl(t.finishedAt)],
      ['Took', t.startedAt && t.finishedAt ? duration(between(t.startedAt, t.finishedAt)) : '—'],
    ];
    const parts = [h('dl', { class: 'facts' }, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v)]))];
    if (t.error) {
      parts.push(h('h4', { text: t.state === 'FAILED' ? 'Error' : 'Last error' }), h('pre', { class: 'error-text', text: t.error }));
    }
    if (t.result !== null && t.result !== undefined) {
      const text = JSON.stringify(t.result, null, 2);
      if (url) URL.revokeObjectURL(url);
      url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
      const cut = text.length > SHOW_CHARS;
      parts.push(h('h4', { text: 'Result' }),
        h('pre', { class: 'result', tabindex: '0', 'aria-label': 'Result', text: cut ? `${text.slice(0, SHOW_CHARS)}\n…` : text }),
        h('p', {}, cut ? h('span', { class: 'muted', text: `Showing ${SHOW_CHARS.toLocaleString('en')} of ${text.length.toLocaleString('en')} characters. ` }) : null,
          h('a', { href: url, download: `${jobId}-${taskId}.json`, text: 'Download result (JSON)' })));
    }
    replace(body, parts);
  }

  load();
  return {
    el,
    focus: () => title.focus(),
    refresh: () => { if (!terminal) load(); },
  };
}
