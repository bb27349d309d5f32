import { h, replace, debounce } from '../dom.js';
import { api } from '../api.js';
import { JobStream } from '../live.js';
import { JOB_STATES, badge, num, doneOf, percent, timeEl, duration, between, stackBar, updateStackBar, problemText } from '../format.js';

const PAGE = 25;
const RELIST_MS = 5000;

/**
 * Jobs, newest first: filter by state and name, page through, and watch the running ones live
 * (one progress-only event stream per running job on the page).
 */
export function jobsPage(root, _params, { me, query, setQuery }) {
  document.title = 'Jobs · CalcGrid';
  let state = query.get('state') || '';
  let name = query.get('name') || '';
  let offset = Math.max(0, parseInt(query.get('offset') || '0', 10) || 0);
  const streams = new Map();
  const rows = new Map();
  let relist = null;
  let gone = false;
  let request = 0;

  const stateSelect = h('select', { id: 'f-state', name: 'state', on: { change: () => { state = stateSelect.value; offset = 0; load(); } } },
    h('option', { value: '', text: 'Any state' }),
    JOB_STATES.map((st) => h('option', { value: st, text: st.charAt(0) + st.slice(1).toLowerCase(), selected: st === state })));
  const nameInput = h('input', { id: 'f-name', name: 'name', type: 'search', value: name, placeholder: 'part of the name', autocomplete: 'off',
    on: { input: debounce(() => { name = nameInput.value.trim(); offset = 0; load(); }, 300) } });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const tbody = h('tbody');
  const prev = h('button', { type: 'button', text: '← Newer', on: { click: () => { offset = Math.max(0, offset - PAGE); load(); } } });
  const next = h('button', { type: 'button', text: 'Older →', on: { click: () => { offset += PAGE; load(); } } });
  const pageInfo = h('span', { class: 'muted' });

  replace(root,
    h('div', { class: 'title-row' }, h('h1', { text: 'Jobs' }),
      me.maySubmit ? h('a', { class: 'button primary', href: '#/submit', text: 'Submit a graph' }) : null),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter jobs', on: { submit: (e) => e.preventDefault() } },
      h('label', { for: 'f-state', text: 'State' }), stateSelect,
      h('label', { for: 'f-name', text: 'Name' }), nameInput),
    h('div', { class: 'card flush' },
      h('table', { class: 'jobs' },
        h('caption', { class: 'sr-only', text: 'Jobs, newest first' }),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', text: 'Job' }),
          me.isAdmin ? h('th', { scope: 'col', text: 'Tenant' }) : null,
          h('th', { scope: 'col', text: 'State' }),
          h('th', { scope: 'col', class: 'w-progress', text: 'Progress' }),
          h('th', { scope: 'col', class: 'num', text: 'Tasks' }),
          h('th', { scope: 'col', text: 'Submitted' }),
          h('th', { scope: 'col', text: 'Took' }))),
        tbody)),
    h('div', { class: 'pager' }, prev, pageInfo, next),
    status);

  function row(job) {
    const progressText = h('span', { class: 'pct' });
    const bar = stackBar({}, job.taskCount);
    const stateCell = h('td', {}, badge(job.state));
    const took = h('td', { text: job.finishedAt ? duration(between(job.submittedAt, job.finishedAt)) : '—' });
    const tr = h('tr', { dataset: { id: job.id } },
      h('th', { scope: 'row' }, h('a', { href: `#/jobs/${encodeURIComponent(job.id)}`, text: job.name || job.id }),
        h('div', { class: 'sub mono', text: job.id })),
      me.isAdmin ? h('td', { text: job.tenant }) : null,
      stateCell,
      h('td', { class: 'w-progress' }, h('div', { class: 'progress-cell' }, bar, progressText)),
      h('td', { class: 'num', text: num(job.taskCount) }),
      h('td', {}, timeEl(job.submittedAt)),
      took);
    const r = { tr, job, bar, progressText, stateCell, took };
    paint(r, job.state, job.counts || (job.state === 'SUCCEEDED' ? { SUCCEEDED: job.taskCount } : null), job.taskCount);
    return r;
  }

  function paint(r, jobState, counts, total) {
    if (jobState && jobState !== r.job.state) {
      r.job.state = jobState;
      replace(r.stateCell, badge(jobState));
    }
    if (counts) {
      r.bar.hidden = false;
      updateStackBar(r.bar, counts, total);
      r.progressText.textContent = percent(doneOf(counts), total);
    } else if (r.job.state !== 'RUNNING') {
      // the index keeps no counts of a job that ended; the job's page has them
      r.bar.hidden = true;
      r.progressText.textContent = '';
    } else if (!r.progressText.textContent) {
      r.progressText.textContent = '…';
    }
  }

  function watch(r) {
    if (streams.has(r.job.id)) return;
    const stream = new JobStream(r.job.id, {
      snapshot: (job) => paint(r, job.state, job.counts, job.taskCount),
      progress: (p) => paint(r, p.state, p.counts, p.taskCount),
      finished: (job) => {
        paint(r, job.state, job.counts, job.taskCount);
        r.took.textContent = duration(between(job.submittedAt, job.finishedAt));
        streams.delete(job.id);
      },
    }).start();
    streams.set(r.job.id, stream);
  }

  async function load(quiet) {
    const mine = ++request;
    setQuery({ state, name, offset: offset || '' });
    const q = new URLSearchParams({ offset, limit: PAGE });
    if (state) q.set('state', state);
    if (name) q.set('name', name);
    if (!quiet) status.textContent = 'Loading…';
    let page;
    try {
      page = await api(`api/v1/jobs?${q}`);
    } catch (e) {
      if (mine === request) status.textContent = problemText(e);
      return schedule();
    }
    if (gone || mine !== request) return;
    const keep = new Set(page.jobs.map((j) => j.id));
    for (const [id, st] of streams) if (!keep.has(id)) { st.stop(); streams.delete(id); }
    const ordered = page.jobs.map((job) => {
      let r = rows.get(job.id);
      if (!r) { r = row(job); rows.set(job.id, r); }
      else if (job.state !== 'RUNNING' && r.job.state === 'RUNNING') paint(r, job.state, null, job.taskCount);
      if (job.state === 'RUNNING') watch(r);
      return r;
    });
    for (const id of rows.keys()) if (!keep.has(id)) rows.delete(id);
    replace(tbody, ordered.length ? ordered.map((r) => r.tr)
      : h('tr', {}, h('td', { colspan: me.isAdmin ? 7 : 6, class: 'empty', text: state || name ? 'No job matches these filters.' : 'No jobs yet.' })));
    prev.disabled = offset === 0;
    next.disabled = !page.more;
    pageInfo.textContent = page.jobs.length ? `${num(offset + 1)}–${num(offset + page.jobs.length)}` : '';
    status.textContent = '';
    schedule();
  }

  // new jobs appear and finished ones settle without a reload
  function schedule() {
    clearTimeout(relist);
    if (!gone) relist = setTimeout(() => load(true), RELIST_MS);
  }

  load();
  return () => {
    gone = true;
    clearTimeout(relist);
    for (const st of streams.values()) st.stop();
  };
}
