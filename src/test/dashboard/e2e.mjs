// End-to-end tests of the dashboard in a real Chromium, against real CalcGrid nodes that
// DashboardBrowserIT starts. Prints one line per scenario ("ok - ..." or "not ok - ...") and exits
// non-zero if any failed. Every scenario also fails on a console error or an uncaught exception.
//
// Environment:
//   CALCGRID_URL          a node of a cluster without authentication (required)
//   CALCGRID_MEMBERS      how many members the cluster page must list (default 1)
//   CALCGRID_AUTH_URL     a node with authentication on (optional: the auth scenarios need it)
//   CALCGRID_TOKEN_A      a submitter token of tenant A on that node
//   CALCGRID_TOKEN_B      a submitter token of tenant B on that node
//   CALCGRID_ONLY         comma-separated scenario names to run (default: all)
//   CALCGRID_SCREENSHOTS  a folder: also write the four pages as PNG there (docs/dashboard)
//   CHROMIUM              the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';
import { readFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const URL_ = need('CALCGRID_URL');
const MEMBERS = Number(process.env.CALCGRID_MEMBERS || 1);
const AUTH_URL = process.env.CALCGRID_AUTH_URL;
const TOKEN_A = process.env.CALCGRID_TOKEN_A;
const TOKEN_B = process.env.CALCGRID_TOKEN_B;
const ONLY = (process.env.CALCGRID_ONLY || '').split(',').filter(Boolean);
const SHOTS = process.env.CALCGRID_SCREENSHOTS;
const WAIT = 60_000;

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function need(name) {
  const v = process.env[name];
  if (!v) { console.error(`${name} is not set`); process.exit(2); }
  return v.replace(/\/$/, '');
}

// ---- the API, for setting scenes up ----

async function call(base, path, { method = 'GET', body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  const r = await fetch(base + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await r.text();
  if (!r.ok) throw new Error(`${method} ${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const submit = (graph, base = URL_, token) => call(base, '/api/v1/jobs', { method: 'POST', body: graph, token });

async function awaitJob(id, until, base = URL_, token) {
  const deadline = Date.now() + WAIT;
  let job;
  while (Date.now() < deadline) {
    job = await call(base, `/api/v1/jobs/${id}`, { token });
    if (until(job)) return job;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`job ${id} did not get there; last ${JSON.stringify(job)}`);
}

// ---- scenarios ----

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
const results = [];

/**
 * Runs one scenario in a fresh browser context; `allowed` lists console errors the scenario
 * provokes on purpose (a refused token is a 401 that Chromium reports).
 */
async function scenario(name, fn, { allowed = [] } = {}) {
  if (ONLY.length && !ONLY.includes(name)) return;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (allowed.some((re) => re.test(m.text()))) console.log(`# ${name}: expected console error: ${m.text()}`);
    else errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`exception: ${e.message}`));
  page.on('dialog', (d) => { errors.push(`dialog opened: ${d.message()}`); d.dismiss(); });
  const started = Date.now();
  try {
    await fn(page, context);
    if (errors.length) throw new Error(errors.join('\n  '));
    results.push(true);
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}: ${e.stack || e}`);
    if (errors.length) console.log(`  ${errors.join('\n  ')}`);
    try { await page.screenshot({ path: `${process.env.TMPDIR || '/tmp'}/dashboard-${name}.png`, fullPage: true }); } catch { /* closed */ }
  } finally {
    await context.close();
  }
}

function check(cond, message) {
  if (!cond) throw new Error(message);
}

/** axe-core on the page as it is: no serious or critical violation. */
async function accessible(page, what) {
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.help}; ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
  });
  check(found.length === 0, `accessibility of the ${what} page:\n    ${found.join('\n    ')}`);
}

const LIVE_GRAPH = `{
  "name": "live-watch",
  "tasks": [
    {"id": "gate", "fn": "util.sleep", "params": {"ms": 2500}},
    {"id": "px", "fn": "util.sum", "deps": ["gate"], "forEach": {"param": "value", "range": [0, 40]}},
    {"id": "total", "fn": "util.sum", "deps": ["px"]}
  ]
}`;

await scenario('submit-and-watch-live', async (page) => {
  await page.goto(`${URL_}/#/submit`);
  await page.getByLabel('Graph (JSON)').fill(LIVE_GRAPH);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  await page.waitForURL(/#\/jobs\/[A-Za-z0-9_-]+$/, { timeout: WAIT });
  await page.evaluate(() => { window.notReloaded = true; });
  const state = page.locator('.summary .field').first().locator('.badge');
  await state.getByText('RUNNING', { exact: true }).waitFor({ timeout: WAIT });
  await page.locator('.pill', { hasText: 'live' }).waitFor({ timeout: WAIT });
  await page.locator('.graph g.tpl').nth(2).waitFor({ timeout: WAIT });
  check(await page.locator('.graph g.tpl').count() === 3, 'the graph shows its 3 templates');
  check(await page.locator('.graph g.tpl[data-template="px"] text.count').textContent() === '×40', 'px shows its 40 tasks');
  await state.getByText('SUCCEEDED', { exact: true }).waitFor({ timeout: WAIT });
  await page.getByText('42 of 42 done (100%)').waitFor({ timeout: WAIT });
  check(await page.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
  // the table caught up too: the last task, found through the template filter
  await page.getByLabel('Template', { exact: true }).selectOption('total');
  await page.getByRole('row').filter({ hasText: 'total' }).getByText('SUCCEEDED').waitFor({ timeout: WAIT });
  check(await page.getByRole('row').count() === 2, 'one task of template total, and the header');
  await accessible(page, 'job');
});

await scenario('reconnects-after-a-drop', async (page) => {
  // keep a handle on every socket the page opens, to drop one as a network would
  await page.addInitScript(() => {
    const Real = window.WebSocket;
    window.sockets = [];
    window.WebSocket = class extends Real {
      constructor(...args) { super(...args); window.sockets.push(this); }
    };
  });
  const { id } = await submit(JSON.parse(LIVE_GRAPH));
  await page.goto(`${URL_}/#/jobs/${id}`);
  await page.locator('.pill', { hasText: 'live' }).waitFor({ timeout: WAIT });
  await page.evaluate(() => { window.notReloaded = true; window.sockets.at(-1).close(); });
  await page.locator('.pill', { hasText: 'reconnecting' }).waitFor({ timeout: WAIT });
  await page.locator('.summary .badge', { hasText: 'SUCCEEDED' }).waitFor({ timeout: WAIT });
  check(await page.evaluate(() => window.sockets.length) >= 2, 'a second socket was opened');
  await page.getByText('42 of 42 done (100%)').waitFor({ timeout: WAIT });
  check(await page.evaluate(() => window.notReloaded === true), 'the page was not reloaded');
});

await scenario('refused-graph-errors-at-their-lines', async (page) => {
  await page.goto(`${URL_}/#/submit`);
  await page.getByLabel('Graph (JSON)').fill(`{
  "name": "broken",
  "tasks": [
    {"id": "a", "fn": "util.sum"},
    {"id": "b", "fn": "util.sum", "deps": ["nope"]}
  ]
}`);
  await page.getByRole('button', { name: 'Submit', exact: true }).click();
  const bad = page.locator('.listing > li.bad');
  await bad.first().waitFor({ timeout: WAIT });
  check(await bad.count() === 1, `one line is marked, got ${await bad.count()}`);
  check(await bad.getAttribute('value') === '5', `line 5 is marked, got ${await bad.getAttribute('value')}`);
  const text = await bad.textContent();
  check(text.includes("unknown dependency 'nope'") && text.includes('tasks[1].deps[0]'), `the error is under its line: ${text}`);
  await accessible(page, 'submit');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/submit.png`, fullPage: true });
}, { allowed: [/status of 400/] });

await scenario('failing-task-error-shown', async (page) => {
  const { id } = await submit({ name: 'with-a-failure', tasks: [
    { id: 'ok', fn: 'util.sum', params: { value: 1 } },
    { id: 'broken', fn: 'util.fail', params: { failTimes: 5 }, retry: { maxAttempts: 2, backoffMs: 50 } },
    { id: 'after', fn: 'util.sum', deps: ['broken'] }] });
  await awaitJob(id, (j) => j.state === 'FAILED');
  await page.goto(`${URL_}/#/jobs/${id}`);
  await page.getByLabel('State', { exact: true }).selectOption('FAILED');
  const row = page.getByRole('row').filter({ hasText: 'broken' });
  await row.click({ timeout: WAIT });
  const panel = page.locator('.task-panel');
  await panel.locator('pre.error-text').waitFor({ timeout: WAIT });
  const error = await panel.locator('pre.error-text').textContent();
  check(error.includes('util.fail: attempt 2 of the 5 that fail on purpose'), `the error: ${error}`);
  check((await panel.locator('dl').textContent()).includes('Attempts2'), 'two attempts');
  const skipped = page.locator('.chips').getByText('Skipped 1');
  await skipped.waitFor({ timeout: WAIT });
});

await scenario('cancel-from-the-page', async (page) => {
  const { id } = await submit({ name: 'to-cancel', tasks: [{ id: 'long', fn: 'util.sleep', params: { ms: 120000 } }] });
  await page.goto(`${URL_}/#/jobs/${id}`);
  await page.getByRole('button', { name: 'Cancel job' }).click({ timeout: WAIT });
  await page.getByRole('button', { name: 'Yes, cancel' }).click();
  await page.locator('.summary .badge', { hasText: 'CANCELLED' }).waitFor({ timeout: WAIT });
  check(await page.getByRole('button', { name: 'Cancel job' }).count() === 0, 'no Cancel button on a cancelled job');
  const job = await call(URL_, `/api/v1/jobs/${id}`);
  check(job.state === 'CANCELLED', `the job is cancelled on the server, not only in the page: ${job.state}`);
});

await scenario('jobs-list-filters-and-hostile-names', async (page) => {
  const stamp = `n${Date.now()}`;
  const hostile = `<img src=x onerror=alert(1)>-${stamp}`;
  const { id } = await submit({ name: hostile, tasks: [{ id: 'a', fn: 'util.sum', params: { value: 1 } }] });
  await awaitJob(id, (j) => j.state === 'SUCCEEDED');
  await page.goto(`${URL_}/#/jobs`);
  await page.getByRole('link', { name: hostile }).waitFor({ timeout: WAIT });
  check(await page.locator('table.jobs img').count() === 0, 'a job name is text, never markup');
  await page.getByLabel('Name').fill(stamp.toUpperCase());
  await page.waitForFunction(() => document.querySelectorAll('table.jobs tbody tr').length === 1, null, { timeout: WAIT });
  await page.getByLabel('State').selectOption('FAILED');
  await page.getByText('No job matches these filters.').waitFor({ timeout: WAIT });
  check(page.url().includes('state=FAILED') && page.url().includes(`name=${stamp.toUpperCase()}`), `filters are in the link: ${page.url()}`);
  await page.getByLabel('Name').fill('');
  await page.getByLabel('State').selectOption('');
  await page.locator('table.jobs tbody tr').nth(1).waitFor({ timeout: WAIT });
  await accessible(page, 'jobs');
});

await scenario('cluster-members', async (page) => {
  await page.goto(`${URL_}/#/cluster`);
  const rows = page.locator('table.members tbody tr');
  await page.waitForFunction((n) => document.querySelectorAll('table.members tbody tr').length === n
    && [...document.querySelectorAll('table.members tbody .badge')].every((b) => b.textContent === 'UP'), MEMBERS, { timeout: WAIT });
  check(await rows.count() === MEMBERS, `${MEMBERS} members listed`);
  check(await page.getByRole('link', { name: 'Prometheus metrics of this node' }).getAttribute('href') === 'metrics', 'links to /metrics');
  await page.waitForFunction(() => [...document.querySelectorAll('table.members tbody tr')].some((r) => r.textContent.includes(' / ')), null, { timeout: WAIT });
  await accessible(page, 'cluster');
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/cluster.png`, fullPage: true });
});

if (AUTH_URL) {
  await scenario('auth-asks-for-a-token-and-keeps-tenants-apart', async (page) => {
    const mine = await submit({ name: 'desk-a-job', tasks: [{ id: 'a', fn: 'util.sum', params: { value: 1 } }] }, AUTH_URL, TOKEN_A);
    const theirs = await submit({ name: 'desk-b-job', tasks: [{ id: 'b', fn: 'util.sum', params: { value: 2 } }] }, AUTH_URL, TOKEN_B);
    await awaitJob(mine.id, (j) => j.state === 'SUCCEEDED', AUTH_URL, TOKEN_A);
    await page.goto(`${AUTH_URL}/#/jobs`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: WAIT });
    check(await page.locator('table.jobs').count() === 0, 'nothing is shown without a token');
    await page.getByLabel('Access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was refused').waitFor({ timeout: WAIT });
    await page.getByLabel('Access token').fill(TOKEN_A);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'desk-a-job' }).waitFor({ timeout: WAIT });
    check(await page.getByText('desk-b-job').count() === 0, "another desk's job is not listed");
    check((await page.locator('#who').textContent()).includes('alice · desk-a'), 'the caller is shown');
    // the job page, live over a WebSocket that carries the token as access_token
    await page.getByRole('link', { name: 'desk-a-job' }).click();
    await page.locator('.pill', { hasText: /finished|live/ }).waitFor({ timeout: WAIT });
    await page.locator('.graph g.tpl').first().waitFor({ timeout: WAIT });
    await page.goto(`${AUTH_URL}/#/jobs/${theirs.id}`);
    await page.getByRole('heading', { name: 'Job not found' }).waitFor({ timeout: WAIT });
    check(await page.getByText('desk-b-job').count() === 0, "another desk's job name never shows");
    // the token lives in this tab only; signing out forgets it
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor({ timeout: WAIT });
    check(await page.evaluate(() => sessionStorage.getItem('calcgrid.token')) === null, 'the token is forgotten');
  }, { allowed: [/status of 401/, /status of 404/] });
}

if (SHOTS) {
  await scenario('screenshots', async (page) => {
    mkdirSync(SHOTS, { recursive: true });
    const risk = JSON.parse(readFileSync(new URL('../../../docs/examples/eod-risk.json', import.meta.url), 'utf8'));
    const done = await submit(risk);
    await awaitJob(done.id, (j) => j.state !== 'RUNNING');
    await submit({ name: 'eod-var-rates', tasks: [
      { id: 'gate', fn: 'util.sleep', params: { ms: 3000 } },
      { id: 'px', fn: 'util.sleep', deps: ['gate'], params: { ms: 20 }, forEach: { param: 'value', range: [0, 4000] } },
      { id: 'fx', fn: 'util.sleep', deps: ['gate'], params: { ms: 20 }, forEach: { param: 'value', range: [0, 1500] } },
      { id: 'book', fn: 'util.sum', deps: ['px'], forEach: { param: 'value', range: [0, 12] } },
      { id: 'var', fn: 'util.sum', deps: ['book', 'fx'] },
      { id: 'report', fn: 'util.sum', deps: ['var'] }] }).then(async ({ id }) => {
      await page.goto(`${URL_}/#/jobs/${id}`);
      await page.locator('.summary .badge', { hasText: 'RUNNING' }).waitFor({ timeout: WAIT });
      await page.waitForFunction(() => /[1-9]\d* of/.test(document.querySelector('.progress-big')?.textContent || ''), null, { timeout: WAIT });
      await page.waitForTimeout(6000);
      await page.getByRole('row').filter({ hasText: 'px[' }).first().click();
      await page.locator('.task-panel dl').waitFor({ timeout: WAIT });
      await page.screenshot({ path: `${SHOTS}/job.png`, fullPage: true });
    });
    await page.goto(`${URL_}/#/jobs`);
    await page.locator('table.jobs tbody tr').nth(3).waitFor({ timeout: WAIT });
    await page.waitForTimeout(1500);
    await page.screenshot({ path: `${SHOTS}/jobs.png`, fullPage: true });
  });
}

await browser.close();
const failed = results.filter((r) => !r).length;
console.log(`${results.length - failed} of ${results.length} scenarios passed`);
process.exit(failed ? 1 : 0);
