// A line diff (Myers' O(ND) algorithm after trimming the common head and tail) and its rendering.

import { h } from './ui.js';

/** Returns [{op: ' '|'-'|'+', text, a?, b?}] turning `before` into `after` (arrays of lines). */
export function diffLines(before, after) {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) {
    start++;
  }
  let endA = before.length;
  let endB = after.length;
  while (endA > start && endB > start && before[endA - 1] === after[endB - 1]) {
    endA--;
    endB--;
  }
  const a = before.slice(start, endA);
  const b = after.slice(start, endB);
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace = [];
  let found = n === 0 && m === 0;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1] < v[offset + k + 1]) ? v[offset + k + 1] : v[offset + k - 1] + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace back from (n, m).
  const middle = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0 && (x > 0 || y > 0); d--) {
    const vd = trace[d];
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1] < vd[offset + k + 1]) ? k + 1 : k - 1;
    const prevX = vd[offset + prevK];
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      middle.push({ op: ' ', text: a[x - 1] });
      x--;
      y--;
    }
    if (d > 0) {
      if (x === prevX) {
        middle.push({ op: '+', text: b[y - 1] });
        y--;
      } else {
        middle.push({ op: '-', text: a[x - 1] });
        x--;
      }
    }
  }
  while (x > 0 && y > 0) {
    middle.push({ op: ' ', text: a[x - 1] });
    x--;
    y--;
  }
  middle.reverse();
  const out = before.slice(0, start).map((text) => ({ op: ' ', text }));
  out.push(...middle);
  out.push(...before.slice(endA).map((text) => ({ op: ' ', text })));
  let ia = 1;
  let ib = 1;
  for (const line of out) {
    if (line.op !== '+') {
      line.a = ia++;
    }
    if (line.op !== '-') {
      line.b = ib++;
    }
  }
  return out;
}

/** A unified view: changed lines with 3 lines of context, long unchanged runs folded. */
export function renderDiff(before, after, labels) {
  const lines = diffLines(before.split('\n'), after.split('\n'));
  const changed = lines.map((l) => l.op !== ' ');
  const keep = lines.map((_, i) => {
    for (let j = Math.max(0, i - 3); j <= Math.min(lines.length - 1, i + 3); j++) {
      if (changed[j]) {
        return true;
      }
    }
    return false;
  });
  const added = lines.filter((l) => l.op === '+').length;
  const removed = lines.filter((l) => l.op === '-').length;
  const body = h('tbody');
  let skipped = 0;
  const flush = () => {
    if (skipped) {
      body.append(h('tr.fold', h('td', { colspan: '3' }, `… ${skipped} unchanged line${skipped === 1 ? '' : 's'}`)));
      skipped = 0;
    }
  };
  lines.forEach((l, i) => {
    if (!keep[i]) {
      skipped++;
      return;
    }
    flush();
    const cls = l.op === '+' ? 'add' : l.op === '-' ? 'del' : 'ctx';
    body.append(h('tr.' + cls, h('td.num', l.a ?? ''), h('td.num', l.b ?? ''), h('td.code', (l.op === ' ' ? '  ' : l.op + ' ') + l.text)));
  });
  flush();
  return h(
    'div.diff',
    h('p.diff-head', `${labels[0]} → ${labels[1]}: `, h('span.add-count', `+${added}`), ' ', h('span.del-count', `−${removed}`), added + removed === 0 ? ' (identical)' : ''),
    h('table', { 'aria-label': 'line diff' }, body),
  );
}
