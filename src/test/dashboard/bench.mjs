// The dashboard's cost with a big job open: opens a running job's page in Chromium and measures,
// over a window, what the page holds and does. Run by the loadtest workload "dashboard"
// (loadtest/run --only dashboard), which measures the node's CPU over the same window.
//
//   CALCGRID_URL=http://127.0.0.1:8080 CALCGRID_JOB=<id> CALCGRID_SECONDS=10 node bench.mjs
//
// Prints "measuring" when the window starts, then one line of JSON:
//   heapUsedMB, heapTotalMB (Performance.getMetrics JSHeapUsedSize/JSHeapTotalSize at the end),
//   heapMaxMB (the largest used size sampled each second), domNodes, socketFramesPerSecond
//   (event-stream frames the page received), updatesPerSecond (renders of the summary: one per
//   progress frame, and one a second for the running clock),
//   animationFramesPerSecond (requestAnimationFrame callbacks: does the page stay smooth),
//   longTasks (main-thread tasks over 50 ms), taskRequests (GET .../tasks the table made)
import { chromium } from 'playwright-core';

const URL_ = process.env.CALCGRID_URL.replace(/\/$/, '');
const JOB = process.env.CALCGRID_JOB;
const SECONDS = Number(process.env.CALCGRID_SECONDS || 10);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
await page.addInitScript(() => {
  const stats = { frames: 0, raf: 0, longTasks: 0 };
  window.benchStats = stats;
  const Real = window.WebSocket;
  window.WebSocket = class extends Real {
    constructor(...args) { super(...args); this.addEventListener('message', () => { stats.frames++; }); }
  };
  const tick = () => { stats.raf++; requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  new PerformanceObserver((l) => { stats.longTasks += l.getEntries().length; }).observe({ entryTypes: ['longtask'] });
});
let taskRequests = 0;
page.on('request', (r) => { if (/\/tasks\?/.test(r.url())) taskRequests++; });

const cdp = await page.context().newCDPSession(page);
await cdp.send('Performance.enable');
const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));

await page.goto(`${URL_}/#/jobs/${JOB}`);
await page.locator('.pill', { hasText: 'live' }).waitFor({ timeout: 60000 });
await page.locator('.graph g.tpl').first().waitFor({ timeout: 60000 });
// settle: the first renders and fetches are not what an open page costs
await page.waitForTimeout(2000);

const summaryRenders = () => page.evaluate(() => window.benchStats);
const before = await summaryRenders();
const requestsBefore = taskRequests;
// each render of the summary replaces its children: one observer callback per render
await page.evaluate(() => {
  window.benchStats.updates = 0;
  new MutationObserver(() => { window.benchStats.updates++; })
    .observe(document.querySelector('section[aria-labelledby="summary-h"]'), { childList: true });
});
console.log('measuring');
const t0 = Date.now();
let heapMax = 0;
while (Date.now() - t0 < SECONDS * 1000) {
  await page.waitForTimeout(1000);
  heapMax = Math.max(heapMax, (await metrics()).JSHeapUsedSize);
}
const seconds = (Date.now() - t0) / 1000;
const after = await summaryRenders();
const m = await metrics();
heapMax = Math.max(heapMax, m.JSHeapUsedSize);
const stillRunning = await page.locator('.summary .badge', { hasText: 'RUNNING' }).count() === 1;
console.log(JSON.stringify({
  seconds,
  stillRunning,
  heapUsedMB: +(m.JSHeapUsedSize / 1048576).toFixed(1),
  heapTotalMB: +(m.JSHeapTotalSize / 1048576).toFixed(1),
  heapMaxMB: +(heapMax / 1048576).toFixed(1),
  domNodes: m.Nodes,
  socketFramesPerSecond: +((after.frames - before.frames) / seconds).toFixed(1),
  updatesPerSecond: +(after.updates / seconds).toFixed(1),
  animationFramesPerSecond: +((after.raf - before.raf) / seconds).toFixed(1),
  longTasks: after.longTasks - before.longTasks,
  taskRequests: taskRequests - requestsBefore,
}));
await browser.close();
