// A light code editor: a transparent <textarea> (native caret, selection, IME, clipboard, undo) over a
// highlighted layer that renders only the visible lines, so a 2,000-line handler costs the same per
// keystroke as a 20-line one. C# highlighting, line numbers, SDK completions, diagnostics markers.

import { h } from './ui.js';
import { SDK, KEYWORDS, TYPES } from './sdk.js';

const LINE = 20; // px, matches app.css --ed-line
const PAD = 8; // px, textarea padding
const NORMAL = 0;
const BLOCK = 1;
const VERBATIM = 2;
const RAW = 3;

const keywordSet = new Set(KEYWORDS);
const typeSet = new Set(TYPES);
const sdkSet = new Set(Object.keys(SDK.types));

function esc(s) {
  return s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}

function span(cls, text) {
  return `<span class="t-${cls}">${esc(text)}</span>`;
}

const TOKEN = /\/\/.*|\/\*|\$?@\$?"|\$*"""|\$?"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|0[xX][0-9a-fA-F_]+[uUlL]*|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?[fFdDmMuUlL]*|@?[A-Za-z_]\w*|\s+|[^\w\s]/y;

/** Highlights one line given the state it starts in; returns [html, endState]. */
export function highlightLine(line, state) {
  let out = '';
  let i = 0;
  const n = line.length;
  while (i < n) {
    if (state === BLOCK) {
      const end = line.indexOf('*/', i);
      if (end < 0) {
        out += span('c', line.slice(i));
        return [out, BLOCK];
      }
      out += span('c', line.slice(i, end + 2));
      i = end + 2;
      state = NORMAL;
      continue;
    }
    if (state === VERBATIM) {
      let j = i;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          out += span('s', line.slice(i));
          return [out, VERBATIM];
        }
        if (line[q + 1] === '"') {
          j = q + 2;
          continue;
        }
        out += span('s', line.slice(i, q + 1));
        i = q + 1;
        state = NORMAL;
        break;
      }
      continue;
    }
    if (state === RAW) {
      const end = line.indexOf('"""', i);
      if (end < 0) {
        out += span('s', line.slice(i));
        return [out, RAW];
      }
      out += span('s', line.slice(i, end + 3));
      i = end + 3;
      state = NORMAL;
      continue;
    }
    if (i === 0 && /^\s*#/.test(line)) {
      out += span('p', line);
      return [out, NORMAL];
    }
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(line);
    const t = m ? m[0] : line[i];
    const c = t[0];
    if (t.startsWith('//')) {
      out += span('c', t);
    } else if (t === '/*') {
      out += span('c', t);
      state = BLOCK;
    } else if (t.endsWith('"""')) {
      out += span('s', t);
      state = RAW;
    } else if (t.length >= 2 && (t === '@"' || t === '$@"' || t === '@$"')) {
      out += span('s', t);
      state = VERBATIM;
    } else if (c === '"' || c === "'" || (c === '$' && t[1] === '"')) {
      out += span('s', t);
    } else if (c >= '0' && c <= '9') {
      out += span('n', t);
    } else if (/^@?[A-Za-z_]/.test(t)) {
      if (keywordSet.has(t)) {
        out += span('k', t);
      } else if (sdkSet.has(t)) {
        out += span('sdk', t);
      } else if (typeSet.has(t) || (c >= 'A' && c <= 'Z' && line[i + t.length] !== '(')) {
        out += span('ty', t);
      } else if (line[i + t.length] === '(') {
        out += span('f', t);
      } else {
        out += esc(t);
      }
    } else {
      out += esc(t);
    }
    i += t.length;
  }
  return [out, state];
}

function visualColumn(line, column) {
  // column is 1-based in characters; tabs advance to the next multiple of 4.
  let v = 0;
  for (let i = 0; i < column - 1 && i < line.length; i++) {
    v = line[i] === '\t' ? v + 4 - (v % 4) : v + 1;
  }
  return v;
}

export class Editor {
  constructor({ value = '', onSave, onChange, label = 'Handler code' } = {}) {
    this.onSave = onSave;
    this.onChange = onChange;
    this.diagnostics = [];
    this.cache = new Map();
    this.lines = [''];
    this.states = [NORMAL];
    this.latencies = [];
    this.leaveOnTab = false;
    this.gutter = h('div.ed-gutter', { 'aria-hidden': 'true' });
    this.gutterInner = h('div.ed-gutter-inner');
    this.gutter.append(this.gutterInner);
    this.layer = h('pre.ed-layer', { 'aria-hidden': 'true' });
    this.layerInner = h('div.ed-layer-inner');
    this.layer.append(this.layerInner);
    this.input = h('textarea.ed-input', {
      spellcheck: 'false',
      autocapitalize: 'off',
      autocomplete: 'off',
      wrap: 'off',
      'aria-label': label + ' (Ctrl+S saves, Ctrl+Space completes, Esc then Tab leaves)',
      'aria-autocomplete': 'list',
    });
    this.popup = h('ul.ed-complete', { role: 'listbox', hidden: true, 'aria-label': 'completions' });
    this.measure = h('span.ed-measure', 'x'.repeat(100));
    this.code = h('div.ed-code', this.layer, this.input, this.popup, this.measure);
    this.el = h('div.editor', this.gutter, this.code);
    // The tests read the keystroke → repaint figures from here.
    this.el.editor = this;
    this.input.addEventListener('input', (e) => this.onInput(e));
    this.input.addEventListener('scroll', () => this.scheduleRender());
    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('blur', () => setTimeout(() => this.closePopup(), 150));
    this.input.addEventListener('click', () => this.closePopup());
    this.popup.addEventListener('mousedown', (e) => {
      const li = e.target.closest('li');
      if (li) {
        e.preventDefault();
        this.accept(Number(li.dataset.i));
      }
    });
    this.resizeObserver = new ResizeObserver(() => this.render());
    this.resizeObserver.observe(this.input);
    this.setValue(value);
  }

  get value() {
    return this.input.value;
  }

  setValue(text) {
    this.input.value = text;
    this.split();
    this.render();
  }

  focus() {
    this.input.focus();
  }

  charWidth() {
    if (!this.cw) {
      const w = this.measure.getBoundingClientRect().width / 100;
      if (w > 0) {
        this.cw = w;
      }
    }
    return this.cw || 7.8;
  }

  split() {
    this.lines = this.input.value.split('\n');
    this.states.length = 1;
  }

  /** State at the start of each line up to `upto` (cached by text and incoming state). */
  stateUpTo(upto) {
    for (let i = this.states.length - 1; i < upto && i < this.lines.length; i++) {
      this.states[i + 1] = this.lineHtml(i)[1];
    }
  }

  lineHtml(i) {
    const state = this.states[i];
    const text = this.lines[i];
    const key = state + '\u0000' + text;
    let hit = this.cache.get(key);
    if (!hit) {
      if (this.cache.size > 50000) {
        this.cache.clear();
      }
      hit = highlightLine(text, state);
      this.cache.set(key, hit);
    }
    return hit;
  }

  onInput(e) {
    const t0 = e.timeStamp || performance.now();
    this.split();
    // Rendered in the next animation frame (before it is painted): reading the textarea's scroll position
    // here would force a second synchronous layout of the whole text on every keystroke.
    this.scheduleRender();
    this.updateCompletions(false, e.data);
    this.onChange?.();
    requestAnimationFrame(() =>
      setTimeout(() => {
        this.latencies.push(performance.now() - t0);
        if (this.latencies.length > 500) {
          this.latencies.shift();
        }
      }, 0),
    );
  }

  scheduleRender() {
    if (!this.pending) {
      this.pending = requestAnimationFrame(() => {
        this.pending = 0;
        this.render();
      });
    }
  }

  render() {
    const top = this.input.scrollTop;
    const left = this.input.scrollLeft;
    const height = this.input.clientHeight || 400;
    const first = Math.max(0, Math.floor((top - PAD) / LINE));
    const last = Math.min(this.lines.length, first + Math.ceil(height / LINE) + 2);
    this.stateUpTo(last);
    const byLine = new Map();
    for (const d of this.diagnostics) {
      if (d.line >= 1 && d.line <= this.lines.length) {
        const list = byLine.get(d.line) || [];
        list.push(d);
        byLine.set(d.line, list);
      }
    }
    const cw = this.charWidth();
    let code = '';
    let nums = '';
    for (let i = first; i < last; i++) {
      const diags = byLine.get(i + 1);
      let marks = '';
      let numClass = 'ed-num';
      let numTitle = '';
      if (diags) {
        numTitle = ` title="${esc(diags.map((d) => `${d.line}:${d.column} ${d.id || d.severity} ${d.message}`).join('\n')).replace(/"/g, '&quot;')}"`;
        numClass += diags.some((d) => d.severity === 'error') ? ' err' : ' warn';
        for (const d of diags) {
          marks += this.markHtml(i, d, cw);
        }
      }
      code += `<div class="ed-line">${this.lineHtml(i)[0]}${marks}\n</div>`;
      nums += `<div class="${numClass}"${numTitle}>${i + 1}</div>`;
    }
    this.layerInner.innerHTML = code;
    this.gutterInner.innerHTML = nums;
    const y = PAD + first * LINE - top;
    this.layerInner.style.transform = `translate(${PAD - left}px, ${y}px)`;
    this.gutterInner.style.transform = `translateY(${y}px)`;
    const digits = String(this.lines.length).length;
    this.gutter.style.width = `calc(${Math.max(3, digits)}ch + 20px)`;
    if (this.diagnostics.length) {
      this.placeMarks();
    }
    this.positionPopup();
  }

  markHtml(i, d, cw) {
    const line = this.lines[i];
    const col = Math.max(1, d.column || 1);
    const word = /^[\w@]+/.exec(line.slice(col - 1));
    const len = Math.max(1, word ? word[0].length : 1);
    const x = visualColumn(line, col) * cw;
    const title = esc(`${d.severity} ${d.id || ''} (${d.line}:${col}): ${d.message}`).replace(/"/g, '&quot;');
    // Positions are CSS classes plus a data attribute: no inline style (the page's CSP forbids it).
    return `<span class="ed-mark ${d.severity === 'error' ? 'err' : 'warn'}" data-x="${x.toFixed(1)}" data-w="${(len * cw).toFixed(1)}" title="${title}"></span>`;
  }

  setDiagnostics(list) {
    this.diagnostics = list || [];
    this.render();
  }

  placeMarks() {
    for (const m of this.layerInner.querySelectorAll('.ed-mark')) {
      m.style.left = m.dataset.x + 'px';
      m.style.width = m.dataset.w + 'px';
    }
  }

  goTo(line, column = 1) {
    const lines = this.lines;
    let pos = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) {
      pos += lines[i].length + 1;
    }
    pos += Math.max(0, Math.min(column - 1, (lines[line - 1] || '').length));
    this.input.focus();
    this.input.setSelectionRange(pos, pos);
    const target = PAD + (line - 1) * LINE;
    if (target < this.input.scrollTop || target > this.input.scrollTop + this.input.clientHeight - 2 * LINE) {
      this.input.scrollTop = Math.max(0, target - this.input.clientHeight / 3);
    }
    this.render();
  }

  caret() {
    const pos = this.input.selectionStart;
    const before = this.input.value.slice(0, pos);
    const line = before.split('\n').length - 1;
    const col = pos - before.lastIndexOf('\n') - 1;
    return { pos, line, col, before };
  }

  insert(text, selectStart, selectEnd) {
    const s = this.input.selectionStart;
    const e = this.input.selectionEnd;
    this.input.setRangeText(text, selectStart ?? s, selectEnd ?? e, 'end');
    this.input.dispatchEvent(new InputEvent('input', { inputType: 'insertText', data: null }));
  }

  onKey(e) {
    const mod = e.ctrlKey || e.metaKey;
    if (mod && (e.key === 's' || e.key === 'S')) {
      e.preventDefault();
      this.closePopup();
      this.onSave?.();
      return;
    }
    if (mod && e.key === ' ') {
      e.preventDefault();
      this.updateCompletions(true);
      return;
    }
    if (!this.popup.hidden) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = this.items.length;
        this.selected = (this.selected + (e.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.paintPopup();
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        this.accept(this.selected);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        this.closePopup();
        return;
      }
    }
    if (e.key === 'Escape') {
      this.leaveOnTab = true;
      return;
    }
    if (e.key === 'Tab' && !mod) {
      if (this.leaveOnTab) {
        this.leaveOnTab = false;
        return;
      }
      e.preventDefault();
      if (e.shiftKey) {
        const { line } = this.caret();
        const lines = this.lines;
        let start = 0;
        for (let i = 0; i < line; i++) {
          start += lines[i].length + 1;
        }
        const lead = /^ {1,4}/.exec(lines[line]);
        if (lead) {
          const s = this.input.selectionStart;
          this.input.setRangeText('', start, start + lead[0].length, 'preserve');
          this.input.setSelectionRange(Math.max(start, s - lead[0].length), Math.max(start, s - lead[0].length));
          this.input.dispatchEvent(new InputEvent('input', { inputType: 'deleteContent' }));
        }
      } else {
        this.insert('    ');
      }
      return;
    }
    this.leaveOnTab = false;
    if (e.key === 'Enter' && !mod && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      const { before } = this.caret();
      const current = before.slice(before.lastIndexOf('\n') + 1);
      let indent = /^\s*/.exec(current)[0];
      if (/[{[(]\s*$/.test(current)) {
        indent += '    ';
      }
      this.insert('\n' + indent);
    }
  }

  /** Completions of the SDK names at the caret: members after `ctx.`, `req.`, `Response.`… */
  updateCompletions(force, typed) {
    if (!force && this.popup.hidden && !(typed && /[\w.]/.test(typed))) {
      this.closePopup();
      return;
    }
    const { before } = this.caret();
    let lineBefore = before.slice(before.lastIndexOf('\n') + 1);
    // ctx.Database("main"). → ctx.Database. : calls are looked through to their return type.
    while (/\([^()]*\)/.test(lineBefore)) {
      lineBefore = lineBefore.replace(/\([^()]*\)/g, '');
    }
    const m = /(?:([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)\.)?([A-Za-z_]\w*)?$/.exec(lineBefore);
    const receiver = m[1];
    const prefix = m[2] || '';
    let candidates;
    if (receiver) {
      const type = this.typeOf(receiver);
      candidates = type ? SDK.types[type] : null;
    } else if (prefix.length >= 2 || force) {
      candidates = SDK.globals.concat(this.variables().map((v) => ({ name: v.name, detail: v.type })));
    }
    if (!candidates) {
      this.closePopup();
      return;
    }
    const lower = prefix.toLowerCase();
    const items = candidates.filter((c) => c.name.toLowerCase().startsWith(lower) && c.name !== prefix).slice(0, 50);
    if (!items.length) {
      this.closePopup();
      return;
    }
    this.items = items;
    this.prefix = prefix;
    this.selected = 0;
    this.popup.hidden = false;
    this.input.setAttribute('aria-expanded', 'true');
    this.paintPopup();
    this.scheduleRender();
  }

  /** Variables declared as an SDK type in the handler (`Context ctx`, `Request req`, `var r = Response…`). */
  variables() {
    const seen = new Map([
      ['ctx', 'Context'],
      ['req', 'Request'],
    ]);
    const re = /\b(Context|Request|Response|HandlerError|MessageBus|SharedState)\s+([a-z_]\w*)/g;
    let m;
    const text = this.input.value.length > 200000 ? this.input.value.slice(0, 200000) : this.input.value;
    while ((m = re.exec(text))) {
      seen.set(m[2], m[1]);
    }
    return [...seen].map(([name, type]) => ({ name, type }));
  }

  typeOf(expr) {
    const parts = expr.split('.');
    let type;
    const head = parts[0];
    if (SDK.types[head] && /^[A-Z]/.test(head)) {
      type = head + '.static';
      if (!SDK.types[type]) {
        type = head;
      }
    } else {
      const v = this.variables().find((x) => x.name === head);
      type = v?.type;
    }
    for (const p of parts.slice(1)) {
      const member = (SDK.types[type] || []).find((x) => x.name === p);
      type = member?.returns;
    }
    return type && SDK.types[type] ? type : null;
  }

  paintPopup() {
    this.popup.replaceChildren(
      ...this.items.map((it, i) =>
        h(
          'li',
          { role: 'option', 'aria-selected': i === this.selected ? 'true' : 'false', dataset: { i: String(i) }, class: i === this.selected ? 'sel' : null },
          h('span.name', it.name),
          it.detail ? h('span.detail', it.detail) : null,
        ),
      ),
    );
    this.popup.children[this.selected]?.scrollIntoView({ block: 'nearest' });
  }

  positionPopup() {
    if (this.popup.hidden) {
      return;
    }
    const { line, col, before } = this.caret();
    const lineText = before.slice(before.lastIndexOf('\n') + 1);
    const x = PAD + visualColumn(lineText, col + 1) * this.charWidth() - this.input.scrollLeft;
    const y = PAD + (line + 1) * LINE - this.input.scrollTop;
    this.popup.style.left = Math.max(0, Math.min(x, this.input.clientWidth - 260)) + 'px';
    this.popup.style.top = y + 'px';
  }

  accept(i) {
    const it = this.items?.[i];
    if (!it) {
      return;
    }
    const pos = this.input.selectionStart;
    this.closePopup();
    this.input.setRangeText(it.name, pos - this.prefix.length, pos, 'end');
    this.split();
    this.render();
    this.onChange?.();
  }

  closePopup() {
    if (!this.popup.hidden) {
      this.popup.hidden = true;
      this.input.setAttribute('aria-expanded', 'false');
    }
  }
}
