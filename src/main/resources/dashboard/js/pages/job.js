import { h, replace, throttle } from '../dom.js';
import { api, jobPath, ApiError } from '../api.js';
import { JobStream } from '../live.js';
import { VirtualTable } from '../components/vtable.js';
import { GraphView } from '../components/graph.js';
import { ProgressChart } from '../components/chart.js';
import { TASK_STATES, badge, num, doneOf, percent, timeEl, duration, between, stackBar, updateStackBar, problemText } from '../format.js';
import { taskPanel } from './task.js';

const GRAPH_EVERY_MS = 1000;
const TABLE_EVERY_MS = 2000;
const RATE_WINDOW_MS = 30000;
const RENDER_EVERY_MS = 250;

/**
 * One job: summary, time left, the graph by template, the task table and a task's details, all
 * kept current from the job's event stream (progress frames) without reloading the page.
 */
export function jobPage(root, { id }, { me, query, setQuery }) {
  document.title = `Job ${id} · CalcGrid`;
  let job = null;
  let stream = null;
  let gone = false;
  let chart = null;
  let stateFilter = query.get('state') || '';
  let templateFilter = query.get('template') || '';
  let openTask = query.get('task') || '';
  const samples = [];

  const heading = h('h1', { text: id });
  const connection = h('span', { class: 'pill', role: 'status', 'aria-live': 'polite', text: 'connecting' });
  const actions = h('div', { class: 'actions' }, connection);
  const summary = h('section', { class: 'card', 'aria-labelledby': 'summary-h' });
  const chartCard = h('section', { class: 'card', 'aria-labelledby': 'chart-h', hidden: true },
    h('h2', { id: 'chart-h', text: 'Tasks done' }));
  const graphView = new GraphView({ onPick: (t) => { templateSelect.value = t; templateFilter = t; filtersChanged(); } });
  const graphCard = h('section', { class: 'card', 'aria-labelledby': 'graph-h' },
    h('h2', { id: 'graph-h', text: 'Graph by template' }), graphView.el);
  const stateSelect = h('select', { id: 't-state', on: { change: () => { stateFilter = stateSelect.value; filtersChanged(); } } },
    h('option', { value: '', text: 'Any state' }),
    TASK_STATES.map((st) => h('option', { value: st, text: st.charAt(0) + st.slice(1).toLowerCase(), selected: st === stateFilter })));
  const templateSelect = h('select', { id: 't-template', on: { change: () => { templateFilter = templateSelect.value; filtersChanged(); } } },
    h('option', { value: '', text: 'Any template' }));
  const matchCount = h('span', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const panelHost = h('div', { class: 'panel-host' });
  const table = new VirtualTable({
    label: 'Tasks',
    empty: 'No task matches these filters.',
    columns: [
      { title: 'Task', className: 'c-id mono', cell: (t) => t.id },
      { title: 'State', className: 'c-state', cell: (t) => badge(t.state) },
      { title: 'Attempts', className: 'c-num', cell: (t) => String(t.attempts) },
      { title: 'Node', className: 'c-node mono', cell: (t) => t.node || '—' },
      { title: 'Started', className: 'c-time', cell: (t) => timeEl(t.startedAt) },
      { title: 'Took', className: 'c-num', cell: (t) => (t.startedAt && t.finishedAt ? duration(between(t.startedAt, t.finishedAt)) : '—') },
      { title: 'Error', className: 'c-error', cell: (t) => t.error || '' },
    ],
    load: async (offset, limit) => {
      const q = new URLSearchParams({ offset, limit });
      if (stateFilter) q.set('state', stateFilter);
      if (templateFilter) q.set('template', templateFilter);
      const page = await api(jobPath(id, `/tasks?${q}`));
      matchCount.textContent = `${num(page.total)} ${page.total === 1 ? 'task' : 'tasks'}`;
      return { total: page.total, rows: page.tasks };
    },
    onSelect: (t) => showTask(t.id),
  });
  const tasksCard = h('section', { class: 'card', 'aria-labelledby': 'tasks-h' },
    h('h2', { id: 'tasks-h', text: 'Tasks' }),
    h('div', { class: 'filters' },
      h('label', { for: 't-state', text: 'State' }), stateSelect,
      h('label', { for: 't-template', text: 'Template' }), templateSelect, matchCount),
    h('div', { class: 'tasks-layout' }, table.el, panelHost));

  replace(root,
    h('p', { class: 'crumbs' }, h('a', { href: '#/jobs', text: '← Jobs' })),
    h('div', { class: 'title-row' }, h('div', {}, heading, h('div', { class: 'sub mono', text: id })), actions),
    summary, chartCard, graphCard, tasksCard);

  function filtersChanged() {
    setQuery({ state: stateFilter, template: templateFilter, task: openTask });
    table.reset().catch(showTableError);
  }

  function showTableError(e) {
    matchCount.textContent = problemText(e);
  }

  // ---- the job ----

  // a busy job sends dozens of progress frames a second: the page takes each, draws at most
  // RENDER_EVERY_MS apart
  function merge(update) {
    job = { ...(job || {}), ...update };
    renderSoon();
  }

  const renderSoon = throttle(() => { if (!gone) renderSummary(); }, RENDER_EVERY_MS);

  function renderSummary() {
    const done = doneOf(job.counts);
    const running = job.state === 'RUNNING';
    heading.textContent = job.name || job.id;
    document.title = `${job.name || job.id} · CalcGrid`;
    const bar = stackBar(job.counts, job.taskCount);
    replace(summary,
      h('h2', { id: 'summary-h', class: 'sr-only', text: 'Summary' }),
      h('div', { class: 'summary' },
        field('State', badge(job.state)),
        field('Progress', h('div', { class: 'progress-big' }, bar,
          h('span', { text: `${num(done)} of ${num(job.taskCount)} done (${percent(done, job.taskCount)})` }))),
        field('Time left', running ? estimate(done) : '—'),
        field('Submitted', timeEl(job.submittedAt)),
        field('Started', timeEl(job.startedAt)),
        field(running ? 'Running for' : 'Finished', running ? duration(between(job.startedAt || job.submittedAt)) : timeEl(job.finishedAt)),
        field('Took', job.finishedAt ? duration(between(job.submittedAt, job.finishedAt)) : '—'),
        field('Supervisor', h('span', { class: 'mono', text: job.supervisor || '—' }))),
      h('ul', { class: 'chips', 'aria-label': 'Tasks per state' },
        TASK_STATES.filter((st) => job.counts && job.counts[st]).map((st) => h('li', {},
          h('button', { type: 'button', class: `chip st-${st.toLowerCase()}`, title: `Show the ${st.toLowerCase()} tasks`,
            on: { click: () => { stateSelect.value = st; stateFilter = st; filtersChanged(); } } },
          h('span', { class: 'dot' }), `${st.charAt(0)}${st.slice(1).toLowerCase()} ${num(job.counts[st])}`)))),
      job.error ? h('div', { class: 'job-error' }, h('strong', { text: 'First error: ' }), h('span', { class: 'mono', text: job.error })) : null);
    updateCancel();
  }

  function field(label, value) {
    return h('div', { class: 'field' }, h('div', { class: 'label', text: label }), h('div', { class: 'value' }, value));
  }

  function estimate(done) {
    if (samples.length < 2) return 'estimating…';
    const last = samples[samples.length - 1];
    const first = samples.find((p) => last.at - p.at <= RATE_WINDOW_MS) || samples[0];
    const rate = (last.done - first.done) / Math.max(1, last.at - first.at);
    if (rate <= 0) return done >= job.taskCount ? 'finishing' : 'no progress in the last 30 s';
    return `about ${duration((job.taskCount - done) / rate)}`;
  }

  const sample = throttle(() => { if (!gone) takeSample(); }, RENDER_EVERY_MS);

  function takeSample() {
    const at = Date.now();
    const done = doneOf(job.counts);
    samples.push({ at, done });
    while (samples.length > 2 && at - samples[1].at > RATE_WINDOW_MS) samples.shift();
    if (job.state === 'RUNNING') {
      if (!chart) {
        chart = new ProgressChart(job.taskCount);
        chartCard.appendChild(chart.el);
        chartCard.hidden = false;
      }
      chart.add(at, done);
    }
  }

  // ---- cancel ----

  const cancelBox = h('div', { class: 'cancel' });
  actions.appendChild(cancelBox);

  function updateCancel() {
    if (!job || job.state !== 'RUNNING' || !me.maySubmit) { replace(cancelBox); return; }
    if (cancelBox.childElementCount) return;
    replace(cancelBox, h('button', { type: 'button', class: 'danger', text: 'Cancel job', on: { click: confirmCancel } }));
  }

  function confirmCancel() {
    const no = h('button', { type: 'button', text: 'Keep running', on: { click: () => { replace(cancelBox); updateCancel(); } } });
    replace(cancelBox, h('span', { text: 'Cancel this job?' }),
      h('button', { type: 'button', class: 'danger', text: 'Yes, cancel', on: { click: doCancel } }), no);
    no.focus();
  }

  async function doCancel() {
    replace(cancelBox, h('span', { class: 'muted', text: 'Cancelling…' }));
    try {
      merge(await api(jobPath(id, '/cancel'), { method: 'POST' }));
      refreshAll();
    } catch (e) {
      replace(cancelBox, h('span', { class: 'error', role: 'alert', text: problemText(e) }));
    }
  }

  // ---- graph and table, refreshed while the job runs ----

  async function refreshGraph() {
    try {
      const graph = await api(jobPath(id, '/graph'));
      if (gone) return;
      if (templateSelect.options.length === 1) {
        for (const t of graph.templates) templateSelect.appendChild(h('option', { value: t.id, text: t.id, selected: t.id === templateFilter }));
      }
      graphView.update(graph);
    } catch (e) {
      if (!gone) replace(graphView.el, h('p', { class: 'error', text: problemText(e) }));
    }
  }

  const graphSoon = throttle(refreshGraph, GRAPH_EVERY_MS);
  // progress frames carry counts only: the job's times and first error come with the table
  const tableSoon = throttle(() => {
    table.refresh().catch(showTableError);
    if (panel) panel.refresh();
    api(jobPath(id)).then((v) => { if (!gone && job.state === 'RUNNING') merge(v); }).catch(() => {});
  }, TABLE_EVERY_MS);

  function refreshAll() {
    refreshGraph();
    table.refresh().catch(showTableError);
    if (panel) panel.refresh();
  }

  // ---- a task's details ----

  let panel = null;
  function showTask(taskId) {
    openTask = taskId;
    setQuery({ state: stateFilter, template: templateFilter, task: openTask });
    panel = taskPanel(id, taskId, () => {
      panel = null;
      openTask = '';
      setQuery({ state: stateFilter, template: templateFilter });
      replace(panelHost);
      tasksCard.classList.remove('with-panel');
    });
    tasksCard.classList.add('with-panel');
    replace(panelHost, panel.el);
    panel.focus();
  }

  // ---- start ----

  async function start() {
    try {
      merge(await api(jobPath(id)));
    } catch (e) {
      const missing = e instanceof ApiError && e.status === 404;
      replace(root, h('p', { class: 'crumbs' }, h('a', { href: '#/jobs', text: '← Jobs' })),
        h('h1', { text: missing ? 'Job not found' : 'Cannot show this job' }),
        h('p', { class: missing ? '' : 'error', role: 'alert', text: missing ? `There is no job '${id}' that you may see.` : problemText(e) }));
      return;
    }
    samples.push({ at: Date.now(), done: doneOf(job.counts) });
    refreshGraph();
    table.reset().catch(showTableError);
    if (openTask) showTask(openTask);
    stream = new JobStream(id, {
      status: (st) => {
        connection.textContent = st === 'live' ? 'live' : st === 'ended' ? 'finished' : st;
        connection.className = `pill conn-${st}`;
      },
      snapshot: (v) => { merge(v); sample(); graphSoon(); tableSoon(); },
      progress: (p) => { merge({ state: p.state, taskCount: p.taskCount, counts: p.counts }); sample(); graphSoon(); tableSoon(); },
      finished: (v) => { merge(v); takeSample(); refreshAll(); },
      notFound: () => { connection.textContent = 'job not found'; },
    }).start();
  }

  start();
  const tick = setInterval(() => { if (job && job.state === 'RUNNING') renderSummary(); }, 1000);
  return () => {
    gone = true;
    clearInterval(tick);
    graphSoon.cancel();
    tableSoon.cancel();
    renderSoon.cancel();
    sample.cancel();
    if (stream) stream.stop();
    table.destroy();
    if (chart) chart.destroy();
  };
}
