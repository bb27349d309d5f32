import { h, replace } from '../dom.js';
import { api } from '../api.js';
import { badge, num, problemText } from '../format.js';

const POLL_MS = 3000;

/** The cluster as the serving node sees it: members, reachability, worker load, supervisors. */
export function clusterPage(root) {
  document.title = 'Cluster · CalcGrid';
  let timer = null;
  let gone = false;
  const updated = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const content = h('div', { class: 'flow' }, h('p', { class: 'muted', text: 'Loading…' }));
  replace(root,
    h('div', { class: 'title-row' }, h('h1', { text: 'Cluster' }),
      h('a', { class: 'button', href: 'metrics', target: '_blank', rel: 'noopener', text: 'Prometheus metrics of this node' })),
    content, updated);

  async function load() {
    try {
      const view = await api('api/v1/cluster');
      if (gone) return;
      replace(content, render(view));
      updated.textContent = `As seen by ${view.self} at ${new Date().toLocaleTimeString('en-GB')}; refreshed every ${POLL_MS / 1000} s.`;
    } catch (e) {
      if (!gone) updated.textContent = problemText(e);
    } finally {
      if (!gone) timer = setTimeout(load, POLL_MS);
    }
  }

  load();
  return () => { gone = true; clearTimeout(timer); };
}

function render(view) {
  const workers = new Map(view.workers.map((w) => [w.address, w]));
  const supervisors = new Map((view.jobs.nodes || []).map((n) => [n.address, n]));
  const totals = view.workers.reduce((t, w) => {
    if (w.load) { t.slots += w.load.slots; t.busy += w.load.busy; }
    return t;
  }, { slots: 0, busy: 0 });
  const up = view.members.filter((m) => m.status === 'Up').length;
  const unreachable = view.members.filter((m) => !m.reachable).length;

  return [
    h('div', { class: 'tiles' },
      tile('Members', `${view.members.length}`, `${up} up${unreachable ? `, ${unreachable} unreachable` : ''}`),
      tile('Worker slots', num(totals.slots), `${num(totals.busy)} busy`),
      tile('Load', totals.slots ? `${Math.round((100 * totals.busy) / totals.slots)}%` : '—', 'busy slots of all slots'),
      tile('Job supervisors', num((view.jobs.nodes || []).reduce((n, x) => n + x.supervisors, 0)), view.jobs.error ? 'statistics late' : 'running on the scheduler nodes')),
    h('section', { class: 'card flush', 'aria-labelledby': 'members-h' },
      h('h2', { id: 'members-h', class: 'pad', text: 'Members' }),
      h('table', { class: 'members' },
        h('thead', {}, h('tr', {},
          ['Node', 'Status', 'Reachable', 'Roles', 'Worker slots', 'Load', 'Job supervisors'].map((t) => h('th', { scope: 'col', text: t })))),
        h('tbody', {}, view.members.map((m) => member(m, workers.get(m.address), supervisors.get(m.address)))))),
    view.unreachable.length ? h('section', { class: 'card', 'aria-labelledby': 'unr-h' },
      h('h2', { id: 'unr-h', text: 'Unreachable' }),
      h('ul', {}, view.unreachable.map((u) => h('li', { class: 'mono', text: `${u.address}, noticed by ${u.observedBy.join(', ') || 'unknown'}` })))) : null,
    h('p', { class: 'muted', text: 'Each node serves its own Prometheus metrics at /metrics on its HTTP port.' }),
  ];
}

function tile(label, value, sub) {
  return h('div', { class: 'tile card' }, h('div', { class: 'label', text: label }), h('div', { class: 'big', text: value }), h('div', { class: 'muted', text: sub }));
}

function member(m, worker, jobs) {
  const marks = [m.self && 'this node', m.leader && 'leader', m.oldest && 'oldest'].filter(Boolean);
  let slots = '—';
  let load = h('span', { class: 'muted', text: m.roles.includes('worker') ? 'no answer' : 'not a worker' });
  if (worker && worker.load) {
    const l = worker.load;
    slots = `${l.busy} / ${l.slots}`;
    const meter = h('meter', { min: 0, max: Math.max(1, l.slots), value: l.busy, 'aria-label': `${m.node}: ${l.busy} of ${l.slots} slots busy` });
    load = h('div', { class: 'load' }, meter, h('span', { text: l.waitingJobs ? `${l.waitingJobs} jobs waiting` : '' }));
  } else if (worker && worker.error) {
    load = h('span', { class: 'error', text: worker.error });
  }
  return h('tr', {},
    h('th', { scope: 'row' }, h('span', { class: 'mono', text: m.node }),
      marks.length ? h('div', { class: 'sub', text: marks.join(', ') }) : null),
    h('td', {}, badge(m.status.toUpperCase())),
    h('td', {}, m.reachable ? h('span', { class: 'ok', text: '✓ yes' }) : h('span', { class: 'bad', text: '✗ no' })),
    h('td', {}, h('ul', { class: 'roles', 'aria-label': 'roles' }, m.roles.map((r) => h('li', { class: 'role', text: r })))),
    h('td', { class: 'num', text: slots }),
    h('td', {}, load),
    h('td', { class: 'num', text: jobs ? num(jobs.supervisors) : '—' }));
}
