// The admin API client: the token lives in sessionStorage only (gone when the tab closes), every call
// carries it, and every failure becomes an ApiError with a readable message.

const TOKEN_KEY = 'edge.admin.token';

export class ApiError extends Error {
  constructor(status, message, data) {
    super(message);
    this.status = status;
    this.data = data ?? null;
  }
}

let onUnauthorized = () => {};
let scopes = ['*'];

/** The signed-in caller's scopes (from /api/whoami): the page skips what the key may not read. */
export function setScopes(list) {
  scopes = Array.isArray(list) ? list : ['*'];
}

export function can(resource, action = 'read') {
  return scopes.some((s) => s === '*' || s === `${resource}:*` || s === `${resource}:${action}`);
}

export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) {
    sessionStorage.setItem(TOKEN_KEY, value);
  } else {
    sessionStorage.removeItem(TOKEN_KEY);
  }
}

function describe(status, body, text) {
  if (body && typeof body.error === 'string') {
    return body.error;
  }
  if (status === 0) {
    return 'the admin server cannot be reached';
  }
  const snippet = (text || '').trim().slice(0, 200);
  return `HTTP ${status}${snippet ? ': ' + snippet : ''}`;
}

/** Calls /api{path}; resolves with `data`, rejects with ApiError (status 0 for a network failure). */
export async function api(path, { method = 'GET', body, raw, query, signal, headers, tokenOverride } = {}) {
  const url = new URL('/api' + path, location.origin);
  if (query) {
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== '') {
        url.searchParams.set(k, String(v));
      }
    }
  }
  const h = new Headers(headers || {});
  const t = tokenOverride ?? token();
  if (t) {
    h.set('Authorization', 'Bearer ' + t);
  }
  let payload;
  if (raw !== undefined) {
    payload = raw;
  } else if (body !== undefined) {
    h.set('Content-Type', 'application/json');
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, { method, headers: h, body: payload, signal, cache: 'no-store' });
  } catch (err) {
    if (err.name === 'AbortError') {
      throw err;
    }
    throw new ApiError(0, `the admin server cannot be reached (${err.message})`);
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!response.ok || !json || json.ok === false) {
    const error = new ApiError(response.status, describe(response.status, json, text), json?.data);
    if (response.status === 401 && !tokenOverride) {
      onUnauthorized(error);
    }
    throw error;
  }
  return json.data;
}

/**
 * Reads a text/event-stream with fetch (EventSource cannot send Authorization). Calls onEvent({id, data})
 * for each event; returns when the stream ends or the signal aborts.
 */
export async function stream(path, { signal, onEvent, lastEventId }) {
  const h = new Headers({ Accept: 'text/event-stream', Authorization: 'Bearer ' + token() });
  if (lastEventId) {
    h.set('Last-Event-ID', String(lastEventId));
  }
  const response = await fetch('/api' + path, { headers: h, signal, cache: 'no-store' });
  if (!response.ok) {
    const text = await response.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
    throw new ApiError(response.status, describe(response.status, json, text));
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let event = { id: null, data: [] };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line === '') {
        if (event.data.length) {
          onEvent({ id: event.id, data: event.data.join('\n') });
        }
        event = { id: null, data: [] };
      } else if (line.startsWith(':')) {
        continue;
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') {
          event.data.push(val);
        } else if (field === 'id') {
          event.id = val;
        }
      }
    }
  }
}
