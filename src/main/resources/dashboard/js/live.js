import { socketUrl, jobPath } from './api.js';

/**
 * A job's event stream (GET api/v1/jobs/{id}/events as a WebSocket), reconnecting after a drop.
 * Each connection opens with a snapshot, so a reconnect starts from the job as it is now: nothing
 * is pieced together from the frames missed while the socket was down.
 *
 * Handlers: snapshot(job), progress({state, taskCount, counts, dropped}), tasks(events),
 * finished(job), notFound(), status('connecting' | 'live' | 'reconnecting' | 'ended').
 */
export class JobStream {
  constructor(jobId, handlers, { events = 'progress' } = {}) {
    this.jobId = jobId;
    this.handlers = handlers;
    this.events = events;
    this.ws = null;
    this.stopped = false;
    this.ended = false;
    this.failures = 0;
    this.timer = null;
  }

  start() {
    this.connect();
    return this;
  }

  connect() {
    if (this.stopped || this.ended) return;
    this.emit('status', this.failures ? 'reconnecting' : 'connecting');
    const ws = new WebSocket(socketUrl(jobPath(this.jobId, `/events?events=${this.events}`)));
    this.ws = ws;
    let opened = false;
    ws.onopen = () => { opened = true; };
    ws.onmessage = (e) => this.onMessage(e.data);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped || this.ended) return;
      this.failures = opened ? 1 : this.failures + 1;
      // 1 s, 2 s, 4 s ... up to 15 s between tries
      const wait = Math.min(15000, 1000 * 2 ** Math.min(4, this.failures - 1));
      this.emit('status', 'reconnecting');
      this.timer = setTimeout(() => this.connect(), wait);
    };
  }

  onMessage(text) {
    let m;
    try { m = JSON.parse(text); } catch { return; }
    switch (m.type) {
      case 'snapshot':
        this.failures = 0;
        this.emit('status', 'live');
        this.emit('snapshot', m.job);
        break;
      case 'progress': this.emit('progress', m); break;
      case 'tasks': this.emit('tasks', m.events); break;
      case 'finished':
        this.ended = true;
        this.emit('finished', m.job);
        this.emit('status', 'ended');
        this.close();
        break;
      case 'not-found':
        this.ended = true;
        this.emit('notFound');
        this.close();
        break;
      default:
    }
  }

  emit(name, arg) {
    const fn = this.handlers[name];
    if (fn) fn(arg);
  }

  close() {
    const ws = this.ws;
    this.ws = null;
    if (ws && ws.readyState <= 1) ws.close(1000);
  }

  /** Stops for good: the page is leaving. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    this.close();
  }
}
