import { h, replace } from './dom.js';
import { api, token, ApiError } from './api.js';
import { problemText } from './format.js';
import { jobsPage } from './pages/jobs.js';
import { jobPage } from './pages/job.js';
import { clusterPage } from './pages/cluster.js';
import { submitPage } from './pages/submit.js';

// Routes live in the URL's fragment (#/jobs/abc), so every page is a link and the node serves one
// file for all of them. Matching is the browser's own URLPattern.
const ROUTES = [
  { nav: 'jobs', pattern: new URLPattern({ pathname: '/jobs/:id' }), page: jobPage },
  { nav: 'jobs', pattern: new URLPattern({ pathname: '/jobs{/}?' }), page: jobsPage },
  { nav: 'submit', pattern: new URLPattern({ pathname: '/submit' }), page: submitPage },
  { nav: 'cluster', pattern: new URLPattern({ pathname: '/cluster' }), page: clusterPage },
];

const main = document.getElementById('main');
const who = document.getElementById('who');
let me = null;
let leave = null;

/** The current route: its path, its query parameters and the page to show. */
function current() {
  const [path, query = ''] = (window.location.hash.replace(/^#/, '') || '/jobs').split('?');
  for (const r of ROUTES) {
    const m = r.pattern.exec({ pathname: path });
    if (m) return { route: r, params: m.pathname.groups, query: new URLSearchParams(query) };
  }
  return null;
}

/** Changes the fragment's query without a new history entry and without re-rendering. */
export function setQuery(params) {
  const [path] = (window.location.hash.replace(/^#/, '') || '/jobs').split('?');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== '' && v !== null && v !== undefined) q.set(k, v);
  const hash = `#${path}${q.toString() ? `?${q}` : ''}`;
  if (hash !== window.location.hash) window.history.replaceState(null, '', hash);
}

function render() {
  if (leave) { leave(); leave = null; }
  const found = current();
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (found && a.dataset.nav === found.route.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const view = h('div', { class: 'page' });
  replace(main, view);
  if (!found) {
    document.title = 'Not found · CalcGrid';
    replace(view, h('h1', { text: 'No such page' }), h('p', {}, h('a', { href: '#/jobs', text: 'Go to the jobs' })));
    return;
  }
  const ctx = { me, query: found.query, setQuery };
  leave = found.route.page(view, found.params, ctx) || null;
}

function showWho() {
  if (!me) { replace(who); return; }
  const roles = me.roles.length ? me.roles.join(', ') : 'no role';
  replace(who,
    h('span', { class: 'who-name', title: `roles: ${roles}`, text: me.authentication ? `${me.subject} · ${me.tenant}` : 'authentication off' }),
    me.authentication ? h('button', { class: 'link', type: 'button', text: 'Sign out', on: { click: signOut } }) : null);
}

function signOut() {
  token.clear();
  me = null;
  showWho();
  askForToken('Signed out.');
}

/** With authentication on and no (valid) token: the page asks for one before showing anything. */
function askForToken(reason) {
  if (leave) { leave(); leave = null; }
  document.title = 'Sign in · CalcGrid';
  const input = h('textarea', { id: 'token', name: 'token', rows: 4, required: true, spellcheck: 'false', autocomplete: 'off', placeholder: 'eyJhbGciOi…' });
  const err = h('p', { class: 'error', role: 'alert', text: reason || '' });
  const form = h('form', { class: 'card signin', on: { submit: async (e) => {
    e.preventDefault();
    const t = input.value.trim().replace(/^Bearer\s+/i, '');
    if (!t) return;
    token.set(t);
    err.textContent = '';
    await identify();
  } } },
  h('h1', { text: 'Sign in' }),
  h('p', { text: 'This grid checks bearer tokens. Paste an access token from your identity provider; it is kept in this tab only and sent with every request.' }),
  h('label', { for: 'token', text: 'Access token' }), input, err,
  h('button', { type: 'submit', class: 'primary', text: 'Sign in' }));
  replace(main, h('div', { class: 'page' }, form));
  input.focus();
}

/** Asks the node who the caller is; with authentication on and no token, asks for one. */
async function identify() {
  try {
    me = await api('api/v1/me');
    showWho();
    render();
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      const had = token.get();
      token.clear();
      askForToken(had ? `That token was refused: ${e.problem.detail || e.message}` : '');
      return false;
    }
    replace(main, h('div', { class: 'page' }, h('h1', { text: 'The node did not answer' }),
      h('p', { class: 'error', role: 'alert', text: problemText(e) }),
      h('button', { type: 'button', text: 'Try again', on: { click: () => identify() } })));
    return false;
  }
}

window.addEventListener('hashchange', () => { if (me) render(); });
window.addEventListener('calcgrid:unauthorized', (e) => {
  if (!me || !me.authentication) return;
  token.clear();
  me = null;
  showWho();
  askForToken(`Your token was refused: ${e.detail.problem.detail || 'sign in again'}`);
});

identify();
