import { h, replace } from '../dom.js';
import { api, ApiError } from '../api.js';
import { problemText } from '../format.js';
import { jsonLines, lineOf } from '../components/jsonpos.js';

const EXAMPLE = `{
  "name": "hello",
  "tasks": [
    {"id": "a", "fn": "util.sum", "params": {"value": 1}},
    {"id": "b", "fn": "util.sum", "params": {"value": 2}, "deps": ["a"]},
    {"id": "px", "fn": "bs.price", "forEach": {"param": "spot", "range": [30, 60]},
     "params": {"type": "call", "strike": 40, "rate": 0.1, "vol": 0.2, "expiry": 0.5}},
    {"id": "total", "fn": "util.sum", "params": {"field": "price"}, "deps": ["px"]}
  ]
}
`;

/** Submit a graph, pasted or from a file; a refused graph's errors are shown at their lines. */
export function submitPage(root, _params, { me }) {
  document.title = 'Submit · CalcGrid';
  const editor = h('textarea', { id: 'graph', name: 'graph', class: 'code', rows: 18, spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'graph-help', placeholder: '{"name": "...", "tasks": [...]}' });
  const file = h('input', { id: 'graph-file', type: 'file', accept: '.json,application/json', on: { change: readFile } });
  const key = h('input', { id: 'idem', name: 'idempotency-key', type: 'text', maxlength: 200, autocomplete: 'off', placeholder: 'optional, e.g. eod-rates-2025-06-28' });
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Submit', disabled: !me.maySubmit });
  const outcome = h('div', { class: 'outcome', 'aria-live': 'polite' });

  replace(root,
    h('h1', { text: 'Submit a graph' }),
    me.maySubmit ? null : h('p', { class: 'error', role: 'alert', text: 'Your token has no submitter role: you may look, but not submit.' }),
    h('form', { class: 'card submit', on: { submit: send } },
      h('div', { class: 'field-row' },
        h('label', { for: 'graph', text: 'Graph (JSON)' }),
        h('span', { class: 'spacer' }),
        h('label', { for: 'graph-file', class: 'button', text: 'Upload a file…' }), file,
        h('button', { type: 'button', text: 'Insert example', on: { click: () => { editor.value = EXAMPLE; editor.focus(); } } })),
      editor,
      h('p', { id: 'graph-help', class: 'muted' }, 'The graph format is described in docs/graph-format.md. ',
        h('code', { text: 'forEach' }), ' fans a task out on the server, so a million tasks fit in a few lines.'),
      h('div', { class: 'field-row' },
        h('label', { for: 'idem', text: 'Idempotency key' }), key, submit)),
    outcome);

  async function readFile() {
    const f = file.files[0];
    if (!f) return;
    editor.value = await f.text();
    file.value = '';
    editor.focus();
  }

  async function send(e) {
    e.preventDefault();
    const text = editor.value;
    if (!text.trim()) { replace(outcome, h('p', { class: 'error', role: 'alert', text: 'Paste or upload a graph first.' })); return; }
    submit.disabled = true;
    replace(outcome, h('p', { class: 'muted', text: 'Submitting…' }));
    const headers = key.value.trim() ? { 'Idempotency-Key': key.value.trim() } : {};
    try {
      const accepted = await api('api/v1/jobs', { method: 'POST', body: text, headers });
      window.location.hash = `#/jobs/${encodeURIComponent(accepted.id)}`;
    } catch (err) {
      replace(outcome, refused(err, text));
      outcome.querySelector('h2').focus();
    } finally {
      submit.disabled = !me.maySubmit;
    }
  }
}

/** The problem, and for an invalid graph the text with each error under its line. */
function refused(err, text) {
  const p = err instanceof ApiError ? err.problem : {};
  const errors = Array.isArray(p.errors) ? p.errors : [];
  const head = [
    h('h2', { tabindex: '-1', text: err.status === 400 && errors.length ? `Refused: ${errors.length === 1 ? '1 problem' : `${errors.length} problems`}` : 'Refused' }),
    h('p', { class: 'error', role: 'alert', text: problemText(err) }),
  ];
  if (!errors.length) return h('section', { class: 'card refused' }, head);
  const positions = jsonLines(text);
  const byLine = new Map();
  const unplaced = [];
  for (const e of errors) {
    const m = /line (\d+)/.exec(e.message || '');
    const line = m ? Number(m[1]) : lineOf(positions, e.where);
    if (line > 0) {
      if (!byLine.has(line)) byLine.set(line, []);
      byLine.get(line).push(e);
    } else unplaced.push(e);
  }
  const lines = text.split('\n');
  // a long graph shows the lines around its problems only
  const near = (n) => lines.length <= 200 || [...byLine.keys()].some((b) => Math.abs(b - (n + 1)) <= 3);
  const listing = h('ol', { class: 'listing', 'aria-label': 'The graph, with its problems' },
    lines.map((l, n) => {
      if (!near(n)) return null;
      const here = byLine.get(n + 1);
      return h('li', { class: here ? 'bad' : '', value: n + 1 },
        h('code', { text: l || ' ' }),
        here ? h('ul', { class: 'line-errors' }, here.map((e) => h('li', {}, h('span', { class: 'where', text: e.where }), ` ${e.message}`))) : null);
    }));
  return h('section', { class: 'card refused' }, head,
    unplaced.length ? h('ul', { class: 'line-errors' }, unplaced.map((e) => h('li', {}, h('span', { class: 'where', text: e.where }), ` ${e.message}`))) : null,
    listing);
}
