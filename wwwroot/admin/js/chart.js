// Small SVG line charts (no library): a series of {t, value} over a fixed time window.

const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    el.setAttribute(k, String(v));
  }
  return el;
}

/**
 * Draws into `host` (replacing its content): series = [{label, cls, points: [[t, v]...]}], unit for the axis.
 */
export function lineChart(host, { title, series, unit = '', from, to }) {
  const W = 320;
  const H = 110;
  const L = 50;
  const B = 18;
  const T = 8;
  const R = 8;
  let max = 0;
  for (const s of series) {
    for (const [, v] of s.points) {
      if (Number.isFinite(v) && v > max) {
        max = v;
      }
    }
  }
  max = max <= 0 ? 1 : niceMax(max);
  const x = (t) => L + ((t - from) / Math.max(1, to - from)) * (W - L - R);
  const y = (v) => T + (1 - v / max) * (H - T - B);
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart', 'aria-label': title });
  const titleEl = svg('title');
  titleEl.textContent = title;
  root.append(titleEl);
  for (const f of [0, 0.5, 1]) {
    const v = max * f;
    root.append(svg('line', { x1: L, x2: W - R, y1: y(v), y2: y(v), class: 'grid' }));
    const label = svg('text', { x: L - 4, y: y(v) + 4, 'text-anchor': 'end', class: 'axis' });
    label.textContent = fmt(v) + unit;
    root.append(label);
  }
  const minutes = Math.round((to - from) / 60);
  const left = svg('text', { x: L, y: H - 4, class: 'axis' });
  left.textContent = `−${minutes} min`;
  const right = svg('text', { x: W - R, y: H - 4, 'text-anchor': 'end', class: 'axis' });
  right.textContent = 'now';
  root.append(left, right);
  for (const s of series) {
    const pts = s.points.filter(([, v]) => Number.isFinite(v));
    if (pts.length) {
      const d = pts.map(([t, v], i) => `${i ? 'L' : 'M'}${x(t).toFixed(1)},${y(v).toFixed(1)}`).join('');
      root.append(svg('path', { d, class: 'series ' + s.cls }));
      // Dots too, so that a lone point (one busy interval) is visible.
      for (const [t, v] of pts.filter(([, value]) => value > 0)) {
        root.append(svg('circle', { cx: x(t).toFixed(1), cy: y(v).toFixed(1), r: 1.6, class: 'dot ' + s.cls }));
      }
    }
  }
  host.replaceChildren(root);
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    item.className = 'key ' + s.cls;
    const last = s.points.length ? s.points[s.points.length - 1][1] : null;
    item.textContent = `${s.label}${Number.isFinite(last) ? ': ' + fmt(last) + unit : ''}`;
    legend.append(item);
  }
  host.append(legend);
}

function niceMax(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) {
      return m * p;
    }
  }
  return 10 * p;
}

function fmt(v) {
  if (v >= 100) {
    return Math.round(v).toString();
  }
  if (v >= 10) {
    return v.toFixed(1).replace(/\.0$/, '');
  }
  return v.toFixed(2).replace(/\.?0+$/, '') || '0';
}
