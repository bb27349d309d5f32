import uPlot from '../../vendor/uPlot.esm.js';
import { h } from '../dom.js';

const MAX_POINTS = 600;

/**
 * Tasks done over time while the page watches a running job: the shape of the run (a steady
 * climb, a stall, a tail) at a glance. Points come from the event stream's progress frames.
 */
export class ProgressChart {
  constructor(total) {
    this.total = total;
    this.xs = [];
    this.ys = [];
    this.el = h('div', { class: 'chart', role: 'img', 'aria-label': 'Tasks done over time' });
    this.plot = null;
    this.resize = new ResizeObserver(() => this.plot && this.plot.setSize(this.size()));
    this.resize.observe(this.el);
  }

  size() {
    return { width: Math.max(240, this.el.clientWidth || 600), height: 160 };
  }

  add(atMs, done) {
    const x = atMs / 1000;
    if (this.xs.length && x - this.xs[this.xs.length - 1] < 0.25) {
      this.ys[this.ys.length - 1] = done;
    } else {
      this.xs.push(x);
      this.ys.push(done);
    }
    if (this.xs.length > MAX_POINTS) {
      // keep the whole run, at half the resolution
      this.xs = this.xs.filter((_, i) => i % 2 === 0 || i === this.xs.length - 1);
      this.ys = this.ys.filter((_, i) => i % 2 === 0 || i === this.ys.length - 1);
    }
    if (this.xs.length < 2) return;
    if (!this.plot) {
      this.plot = new uPlot({
        ...this.size(),
        legend: { show: false },
        cursor: { show: false },
        scales: { y: { range: [0, this.total] } },
        axes: [
          { stroke: '#4b5563', space: 90, values: (u, splits) => splits.map((v) => new Date(v * 1000).toLocaleTimeString('en-GB')) },
          { stroke: '#4b5563', size: 70, values: (u, splits) => splits.map((v) => v.toLocaleString('en')) },
        ],
        series: [{}, { label: 'tasks done', stroke: '#1d4ed8', width: 2, fill: 'rgba(29,78,216,0.12)', points: { show: false } }],
      }, [this.xs, this.ys], this.el);
    } else {
      this.plot.setData([this.xs, this.ys]);
    }
  }

  destroy() {
    this.resize.disconnect();
    if (this.plot) this.plot.destroy();
  }
}
