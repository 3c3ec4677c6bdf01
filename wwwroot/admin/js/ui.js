// Small DOM helpers: element builder, messages, confirm dialog, formatting.

/** h('div.a.b#id', {attr: v, onclick: fn}, child, ...) — text children are escaped by construction. */
export function h(spec, attrs, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(spec);
  const el = document.createElement(m[1] || 'div');
  for (const part of m[2].match(/[.#][\w-]+/g) || []) {
    if (part[0] === '.') {
      el.classList.add(part.slice(1));
    } else {
      el.id = part.slice(1);
    }
  }
  if (attrs && (typeof attrs !== 'object' || attrs instanceof Node || Array.isArray(attrs))) {
    children.unshift(attrs);
    attrs = null;
  }
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'value') {
      el.value = v;
    } else if (k === 'checked') {
      el.checked = !!v;
    } else if (k === 'dataset') {
      Object.assign(el.dataset, v);
    } else {
      el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) {
      continue;
    }
    if (Array.isArray(c)) {
      append(el, c);
    } else {
      el.append(c instanceof Node ? c : String(c));
    }
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A status line that keeps errors visible until replaced (never lost). */
export function notice(el, kind, text) {
  el.className = 'notice ' + kind;
  el.textContent = text;
  el.hidden = !text;
  if (kind === 'error') {
    el.setAttribute('role', 'alert');
  } else {
    el.setAttribute('role', 'status');
  }
}

let toastHost;

export function toast(text, kind = 'ok') {
  toastHost ??= document.getElementById('toasts');
  const t = h('div.toast.' + kind, { role: kind === 'error' ? 'alert' : 'status' }, text);
  const close = h('button.link', { type: 'button', 'aria-label': 'dismiss', onclick: () => t.remove() }, '×');
  t.append(close);
  toastHost.append(t);
  // Errors stay until dismissed (they are never lost), but only the newest few pile up.
  while (toastHost.children.length > 4) {
    toastHost.firstChild.remove();
  }
  if (kind !== 'error') {
    setTimeout(() => t.remove(), 4000);
  }
}

/** Shows an ApiError (or any error) as a toast; returns it for chaining. */
export function showError(err, prefix) {
  if (err?.name === 'AbortError') {
    return err;
  }
  const msg = (prefix ? prefix + ': ' : '') + (err?.message || String(err));
  toast(msg, 'error');
  return err;
}

export function confirmDialog(message, okLabel = 'Delete') {
  return new Promise((resolve) => {
    const ok = h('button.danger', { type: 'button' }, okLabel);
    const cancel = h('button', { type: 'button' }, 'Cancel');
    const d = h('dialog.confirm', h('p', message), h('div.row.end', cancel, ok));
    document.body.append(d);
    const done = (v) => {
      d.close();
      d.remove();
      resolve(v);
    };
    ok.onclick = () => done(true);
    cancel.onclick = () => done(false);
    d.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(false);
    });
    d.showModal();
    cancel.focus();
  });
}

export function fmtBytes(n) {
  if (n === null || n === undefined) {
    return '';
  }
  if (n < 1024) {
    return n + ' B';
  }
  if (n < 1024 * 1024) {
    return (n / 1024).toFixed(1) + ' KiB';
  }
  return (n / 1024 / 1024).toFixed(1) + ' MiB';
}

export function fmtTime(iso) {
  if (!iso) {
    return '';
  }
  const d = new Date(iso);
  return isNaN(d) ? String(iso) : d.toLocaleString();
}

export function field(label, input, hint) {
  const id = input.id || 'f-' + Math.random().toString(36).slice(2, 9);
  input.id = id;
  return h('div.field', h('label', { for: id }, label), input, hint ? h('small.hint', hint) : null);
}

export function badge(status) {
  return h('span.badge.s-' + (status || 'unknown'), status || '?');
}
