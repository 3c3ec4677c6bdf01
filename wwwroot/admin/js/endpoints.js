// Endpoints: the domain → collection → endpoint tree, the editor with its diagnostics, settings,
// code history with diff and rollback, the request tester and the live view.

import { api, ApiError, can } from './api.js';
import { h, clear, toast, showError, confirmDialog, field, badge, fmtBytes, fmtTime, notice } from './ui.js';
import { Editor } from './editor.js';

const STATUSES = ['created', 'compiled', 'running', 'stopped', 'error', 'draining'];
const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const TEMPLATE = `// A handler: return a Response for the Request. ctx gives logging, state, the bus and services.
async Task<Response> Handle(Context ctx, Request req)
{
    ctx.Log($"hello from {req.Path}");
    return Response.Ok(new { message = "hello", time = DateTimeOffset.UtcNow });
}
`;

const tree = { filter: '', status: '', data: null, el: null, list: null };

/** Statuses an endpoint shows: its own, plus "draining" while old versions finish. */
function statusesOf(e) {
  const s = [e.status];
  if (e.draining > 0) {
    s.push('draining');
  }
  return s;
}

export async function endpointsView(view, parts) {
  if (view.dataset.section !== 'endpoints' || !view.querySelector('.split')) {
    view.dataset.section = 'endpoints';
    tree.list = h('div.tree', { role: 'navigation', 'aria-label': 'endpoints' });
    const search = h('input', { type: 'search', placeholder: 'Search name, path, method', 'aria-label': 'search endpoints', value: tree.filter });
    search.addEventListener('input', () => {
      tree.filter = search.value;
      renderTree();
    });
    const status = h('select', { 'aria-label': 'filter by status' }, h('option', { value: '' }, 'any status'), STATUSES.map((s) => h('option', { value: s }, s)));
    status.value = tree.status;
    status.addEventListener('change', () => {
      tree.status = status.value;
      renderTree();
    });
    const aside = h(
      'aside.sidebar',
      h('div.row', h('a.button.primary', { href: '#/endpoints/new' }, '+ New endpoint'), h('button', { type: 'button', onclick: () => loadTree(), title: 'reload' }, 'Reload')),
      h('div.row', search, status),
      tree.list,
    );
    const detail = h('section.detail', { 'aria-live': 'off' });
    clear(view, h('div.split', aside, detail));
  }
  const detail = view.querySelector('.detail');
  if (!tree.data) {
    await loadTree();
  } else {
    renderTree();
  }
  const id = parts[0];
  if (!id) {
    clear(
      detail,
      h('div.empty', h('h2', 'Endpoints'), h('p', 'Pick an endpoint on the left, or create one. Handlers are C#: write, compile, deploy and test them here.')),
    );
    return null;
  }
  if (id === 'new') {
    return newEndpointForm(detail);
  }
  return endpointPage(detail, id, parts[1]);
}

export async function loadTree() {
  try {
    // A key without domains:read or collections:read still sees its endpoints, grouped by host.
    const [domains, collections, endpoints] = await Promise.all([
      can('domains') ? api('/domains') : [],
      can('collections') ? api('/collections') : [],
      api('/endpoints?fields=summary'),
    ]);
    tree.data = { domains, collections, endpoints };
  } catch (err) {
    showError(err, 'loading endpoints');
    tree.data ??= { domains: [], collections: [], endpoints: [] };
  }
  renderTree();
}

function updateTreeItem(e) {
  if (!tree.data) {
    return;
  }
  const i = tree.data.endpoints.findIndex((x) => x.id === e.id);
  if (i >= 0) {
    tree.data.endpoints[i] = e;
  } else {
    tree.data.endpoints.push(e);
  }
  renderTree();
}

function renderTree() {
  if (!tree.list || !tree.data) {
    return;
  }
  const { domains, collections, endpoints } = tree.data;
  const q = tree.filter.trim().toLowerCase();
  const visible = endpoints.filter(
    (e) =>
      (!q || `${e.method} ${e.path} ${e.name} ${e.domain}`.toLowerCase().includes(q)) &&
      (!tree.status || statusesOf(e).includes(tree.status)),
  );
  const current = decodeURIComponent((location.hash.split('/')[2] || '').trim());
  const hosts = new Map();
  for (const d of domains) {
    hosts.set(d.host, { title: d.name === d.host ? d.host : `${d.name} (${d.host})`, domain: d, items: [] });
  }
  for (const e of visible) {
    if (!hosts.has(e.domain)) {
      hosts.set(e.domain, { title: e.domain === '*' ? 'any host (*)' : e.domain, domain: null, items: [] });
    }
    hosts.get(e.domain).items.push(e);
  }
  const groups = [...hosts.values()].filter((g) => g.items.length || (!q && !tree.status));
  if (!groups.length) {
    clear(tree.list, h('p.hint', endpoints.length ? 'No endpoint matches.' : 'No endpoints yet.'));
    return;
  }
  const item = (e) =>
    h(
      'li',
      h(
        'a.ep',
        { href: '#/endpoints/' + encodeURIComponent(e.id), 'aria-current': e.id === current ? 'page' : null, title: `${e.method} ${e.path}` },
        h('span.method.m-' + e.method.toLowerCase(), e.method),
        h('span.ep-name', e.name || e.path),
        h('span.badges', statusesOf(e).map(badge)),
      ),
    );
  clear(
    tree.list,
    groups.map((g) => {
      const byCollection = new Map();
      for (const e of g.items) {
        const key = e.collection_id || '';
        byCollection.set(key, [...(byCollection.get(key) || []), e]);
      }
      const cols = g.domain ? collections.filter((c) => c.domain_id === g.domain.id) : [];
      const known = new Set(cols.map((c) => c.id));
      const blocks = cols
        .filter((c) => byCollection.get(c.id)?.length || (!q && !tree.status))
        .map((c) =>
          h(
            'details.collection',
            { open: true },
            h('summary', c.name, c.base_path ? h('small', ' ' + c.base_path) : null, h('small.count', ` ${(byCollection.get(c.id) || []).length}`)),
            h('ul', (byCollection.get(c.id) || []).map(item)),
          ),
        );
      const loose = [...byCollection].filter(([k]) => !known.has(k)).flatMap(([, list]) => list);
      return h(
        'details.domain',
        { open: true },
        h('summary', g.title, h('small.count', ` ${g.items.length}`)),
        blocks,
        loose.length ? h('ul', loose.map(item)) : null,
      );
    }),
  );
}

function fieldErrors(form, err) {
  for (const el of form.querySelectorAll('.field-error')) {
    el.remove();
  }
  const fields = err?.data?.fields;
  if (!fields) {
    return;
  }
  for (const [name, problem] of Object.entries(fields)) {
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    const msg = h('small.field-error', { role: 'alert' }, `${name}: ${problem}`);
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.closest('.field')?.append(msg);
    }
  }
}

function domainInput(value) {
  const list = h('datalist#domain-hosts', h('option', { value: '*' }), (tree.data?.domains || []).map((d) => h('option', { value: d.host })));
  const input = h('input', { name: 'domain', required: true, value: value ?? '*', list: 'domain-hosts', spellcheck: 'false' });
  return [input, list];
}

function collectionSelect(value) {
  return h(
    'select',
    { name: 'collection_id' },
    h('option', { value: '' }, '(none)'),
    (tree.data?.collections || []).map((c) => {
      const d = tree.data.domains.find((x) => x.id === c.domain_id);
      return h('option', { value: c.id, selected: c.id === value }, `${c.name}${d ? ' — ' + d.host : ''}`);
    }),
  );
}

function newEndpointForm(detail) {
  const [domain, hosts] = domainInput('*');
  const msg = h('p.notice', { hidden: true });
  const form = h(
    'form.card.form',
    h('h2', 'New endpoint'),
    h(
      'div.grid2',
      field('Name', h('input', { name: 'name', required: true, spellcheck: 'false' })),
      field('Method', h('select', { name: 'method' }, METHODS.map((m) => h('option', m)))),
      field('Path', h('input', { name: 'path', required: true, placeholder: '/hello/{name}', spellcheck: 'false' }), 'Parameters are whole segments: /users/{id}'),
      field('Domain', domain, 'A host name, or * for any host'),
      field('Collection', collectionSelect('')),
    ),
    hosts,
    msg,
    h('div.row', h('button.primary', { type: 'submit' }, 'Create'), h('a.button', { href: '#/endpoints' }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const f = new FormData(form);
    const body = { name: f.get('name'), method: f.get('method'), path: f.get('path'), domain: f.get('domain'), code: TEMPLATE };
    if (f.get('collection_id')) {
      body.collection_id = f.get('collection_id');
    }
    try {
      const created = await api('/endpoints', { method: 'POST', body });
      updateTreeItem(created);
      toast(`created ${created.method} ${created.path}`);
      location.hash = '#/endpoints/' + encodeURIComponent(created.id);
    } catch (err) {
      notice(msg, 'error', err.message);
      fieldErrors(form, err);
    }
  });
  clear(detail, form);
  form.querySelector('input').focus();
  return null;
}

// ---- one endpoint ---------------------------------------------------------------------------------

async function endpointPage(detail, id, tab) {
  let endpoint;
  try {
    endpoint = await api('/endpoints/' + encodeURIComponent(id));
  } catch (err) {
    clear(detail, h('p.notice.error', { role: 'alert' }, err.message), h('a.button', { href: '#/endpoints' }, 'Back'));
    return null;
  }
  updateTreeItem(endpoint);
  const page = { endpoint, dirty: false, cleanups: [], detail };
  const title = h('h2.ep-title');
  const badges = h('span.badges');
  const saved = h('span.saved', { 'aria-live': 'polite' });
  const diagList = h('div.diagnostics', { 'aria-live': 'polite' });
  page.editor = new Editor({
    value: endpoint.code || '',
    onSave: () => save(page),
    onChange: () => {
      page.dirty = page.editor.value !== page.endpoint.code;
      saved.textContent = page.dirty ? 'unsaved changes' : '';
    },
  });
  page.diagList = diagList;
  page.saved = saved;
  const refreshHeader = () => {
    const e = page.endpoint;
    clear(title, h('span.method.m-' + e.method.toLowerCase(), e.method), ' ', e.path, h('small', ' ' + e.name + ' · ' + (e.domain === '*' ? 'any host' : e.domain)));
    clear(
      badges,
      statusesOf(e).map(badge),
      e.running_revision ? h('small', ` running v${e.running_revision}`) : null,
      h('small', ` latest v${e.revision}`),
    );
    if (e.last_error && e.status === 'error') {
      badges.append(h('small.err-text', ' ' + e.last_error));
    }
  };
  page.refreshHeader = refreshHeader;
  page.reload = async () => {
    page.endpoint = await api('/endpoints/' + encodeURIComponent(id));
    refreshHeader();
    updateTreeItem(page.endpoint);
    // While old versions drain, look again each second so the "draining" badge goes when they are done.
    clearTimeout(page.drainTimer);
    if (page.endpoint.draining > 0 && !page.closed) {
      page.drainTimer = setTimeout(() => page.reload().catch(() => {}), 1000);
    }
  };
  refreshHeader();
  const actions = h(
    'div.row.actions',
    h('button.primary', { type: 'button', onclick: () => save(page), title: 'Ctrl/Cmd+S' }, 'Save'),
    h('button', { type: 'button', onclick: () => lifecycle(page, 'compile') }, 'Compile'),
    h('button', { type: 'button', onclick: () => lifecycle(page, 'deploy') }, 'Deploy'),
    h('button', { type: 'button', onclick: () => lifecycle(page, 'stop') }, 'Stop'),
    h('button.danger', { type: 'button', onclick: () => remove(page) }, 'Delete'),
    saved,
  );
  const tabs = ['test', 'live', 'history', 'settings'];
  const active = tabs.includes(tab) ? tab : 'test';
  const panel = h('div.panel', { role: 'tabpanel' });
  const tabButtons = tabs.map((t) =>
    h(
      'a.tab',
      { href: `#/endpoints/${encodeURIComponent(id)}/${t}`, role: 'tab', 'aria-selected': t === active ? 'true' : 'false' },
      { test: 'Test', live: 'Live', history: 'History', settings: 'Settings' }[t],
    ),
  );
  clear(
    detail,
    h('div.ep-head', title, badges, actions),
    h(
      'div.workbench',
      h('div.code-col', page.editor.el, diagList),
      h('div.side-col', h('div.tabs', { role: 'tablist', 'aria-label': 'endpoint tools' }, tabButtons), panel),
    ),
  );
  page.editor.render();
  const panels = { test: testerPanel, live: livePanel, history: historyPanel, settings: settingsPanel };
  try {
    const cleanup = await panels[active](panel, page);
    if (cleanup) {
      page.cleanups.push(cleanup);
    }
  } catch (err) {
    showError(err);
  }
  return () => {
    page.closed = true;
    clearTimeout(page.drainTimer);
    page.cleanups.forEach((c) => c());
  };
}

function showDiagnostics(page, diagnostics, heading) {
  page.editor.setDiagnostics(diagnostics);
  if (!diagnostics?.length) {
    clear(page.diagList);
    return;
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  clear(
    page.diagList,
    h('p.diag-head', { role: 'alert' }, heading || `${errors} error${errors === 1 ? '' : 's'}, ${diagnostics.length - errors} warning${diagnostics.length - errors === 1 ? '' : 's'}`),
    h(
      'ul',
      diagnostics.map((d) =>
        h(
          'li',
          h(
            'button.link.diag.' + (d.severity === 'error' ? 'err' : 'warn'),
            { type: 'button', onclick: () => page.editor.goTo(d.line, d.column) },
            `line ${d.line}, col ${d.column}: ${d.id ? d.id + ' ' : ''}${d.message}`,
          ),
        ),
      ),
    ),
  );
}

async function save(page, quiet) {
  const code = page.editor.value;
  try {
    page.endpoint = await api('/endpoints/' + encodeURIComponent(page.endpoint.id), { method: 'PUT', body: { code } });
    page.dirty = page.editor.value !== page.endpoint.code;
    page.saved.textContent = `saved v${page.endpoint.revision}`;
    page.refreshHeader();
    updateTreeItem(page.endpoint);
    if (!quiet) {
      toast(`saved revision ${page.endpoint.revision}`);
    }
    return true;
  } catch (err) {
    showError(err, 'save');
    return false;
  }
}

async function lifecycle(page, action) {
  if (action !== 'stop' && page.dirty && !(await save(page, true))) {
    return;
  }
  try {
    const result = await api(`/endpoints/${encodeURIComponent(page.endpoint.id)}/${action}`, { method: 'POST' });
    showDiagnostics(page, result?.warnings || [], result?.warnings?.length ? `${action}d with ${result.warnings.length} warning(s)` : null);
    const what = action === 'compile' ? `compiled v${result.revision} in ${result.duration_ms} ms` : action === 'deploy' ? `deployed v${result.revision}` : 'stopped';
    toast(what);
  } catch (err) {
    if (err instanceof ApiError && err.data?.diagnostics) {
      // Shown beside the editor (and at their lines), not as a toast that would cover it.
      const n = err.data.diagnostics.filter((d) => d.severity === 'error').length;
      showDiagnostics(page, err.data.diagnostics, `${action} failed: ${n} error${n === 1 ? '' : 's'}`);
    } else {
      showError(err, action);
    }
  }
  try {
    await page.reload();
  } catch (err) {
    showError(err);
  }
}

async function remove(page) {
  const e = page.endpoint;
  if (!(await confirmDialog(`Delete ${e.method} ${e.path} (${e.name})? Its code history goes with it.`))) {
    return;
  }
  try {
    await api('/endpoints/' + encodeURIComponent(e.id), { method: 'DELETE' });
    tree.data.endpoints = tree.data.endpoints.filter((x) => x.id !== e.id);
    toast(`deleted ${e.method} ${e.path}`);
    location.hash = '#/endpoints';
  } catch (err) {
    showError(err, 'delete');
  }
}

// ---- settings -------------------------------------------------------------------------------------

async function settingsPanel(panel, page) {
  const e = page.endpoint;
  const [domain, hosts] = domainInput(e.domain);
  const msg = h('p.notice', { hidden: true });
  const num = (name, value, min, hint) => field(name, h('input', { name, type: 'number', min, value: String(value), required: true }), hint);
  const form = h(
    'form.form',
    h(
      'div.grid2',
      field('Name', h('input', { name: 'name', value: e.name, required: true })),
      field('Method', h('select', { name: 'method' }, METHODS.map((m) => h('option', { selected: m === e.method }, m)))),
      field('Path', h('input', { name: 'path', value: e.path, required: true, spellcheck: 'false' })),
      field('Domain', domain),
      field('Collection', collectionSelect(e.collection_id)),
      num('timeout_ms', e.timeout_ms, 1, 'handler time limit'),
      num('drain_timeout_ms', e.drain_timeout_ms, 0, 'old version drain on swap'),
      num('max_body_bytes', e.max_body_bytes, 0, 'request body limit'),
    ),
    hosts,
    h(
      'div.field.check',
      h('label', h('input', { type: 'checkbox', name: 'validate_requests', checked: e.validate_requests, disabled: !e.openapi }), ' validate requests against the OpenAPI operation'),
      e.openapi ? null : h('small.hint', 'needs an OpenAPI operation (import a spec)'),
    ),
    h('div.field.check', h('label', h('input', { type: 'checkbox', name: 'enabled', checked: e.enabled }), ' enabled')),
    field('Description', h('textarea', { name: 'description', rows: '2', value: e.description || '' })),
    msg,
    h('button.primary', { type: 'submit' }, 'Save settings'),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    const body = {
      name: f.get('name'),
      method: f.get('method'),
      path: f.get('path'),
      domain: f.get('domain'),
      collection_id: f.get('collection_id') || null,
      timeout_ms: Number(f.get('timeout_ms')),
      drain_timeout_ms: Number(f.get('drain_timeout_ms')),
      max_body_bytes: Number(f.get('max_body_bytes')),
      enabled: f.get('enabled') === 'on',
      description: f.get('description') || null,
    };
    if (e.openapi) {
      body.validate_requests = f.get('validate_requests') === 'on';
    }
    try {
      page.endpoint = await api('/endpoints/' + encodeURIComponent(e.id), { method: 'PUT', body });
      page.refreshHeader();
      updateTreeItem(page.endpoint);
      notice(msg, 'ok', 'Settings saved.');
      fieldErrors(form, null);
    } catch (err) {
      notice(msg, 'error', err.message);
      fieldErrors(form, err);
    }
  });
  const bindings = h('div.bindings');
  clear(panel, form, can('services') ? [h('h3', 'Bound services'), bindings] : null);
  if (can('services')) {
    await renderBindings(bindings, e.id);
  }
  return null;
}

async function renderBindings(host, endpointId) {
  let bound;
  let services;
  try {
    [bound, services] = await Promise.all([api(`/endpoints/${encodeURIComponent(endpointId)}/services`), api('/services')]);
  } catch (err) {
    clear(host, h('p.notice.error', { role: 'alert' }, err.message));
    return;
  }
  const msg = h('p.notice', { hidden: true });
  const select = h('select', { name: 'service_id', 'aria-label': 'service' }, services.map((s) => h('option', { value: s.id }, `${s.name} (${s.service_type})`)));
  const pool = h('input', { name: 'pool_id', placeholder: 'name used in code', 'aria-label': 'name in code (pool id)', spellcheck: 'false' });
  select.addEventListener('change', () => {
    pool.value = services.find((s) => s.id === select.value)?.name || '';
  });
  pool.value = services[0]?.name || '';
  const add = h('form.row', select, pool, h('button', { type: 'submit', disabled: !services.length }, 'Bind'));
  add.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await api(`/endpoints/${encodeURIComponent(endpointId)}/services`, { method: 'POST', body: { service_id: select.value, pool_id: pool.value } });
      toast(`bound as "${pool.value}"`);
      await renderBindings(host, endpointId);
    } catch (err) {
      notice(msg, 'error', err.message);
    }
  });
  clear(
    host,
    bound.length
      ? h(
          'ul.plain',
          bound.map((b) =>
            h(
              'li.row',
              h('code', b.pool_id),
              ' → ',
              h('a', { href: '#/services/' + encodeURIComponent(b.service_id) }, `${b.service_name || b.service_id} (${b.service_type || '?'})`),
              h(
                'button.link',
                {
                  type: 'button',
                  onclick: async () => {
                    try {
                      await api(`/endpoints/${encodeURIComponent(endpointId)}/services/${encodeURIComponent(b.service_id)}`, { method: 'DELETE' });
                      await renderBindings(host, endpointId);
                    } catch (err) {
                      showError(err, 'unbind');
                    }
                  },
                },
                'unbind',
              ),
            ),
          ),
        )
      : h('p.hint', 'No services bound. Code reaches a bound service by its name, e.g. ctx.Database("main").'),
    services.length ? add : h('p.hint', h('a', { href: '#/services/new' }, 'Create a service'), ' to bind it.'),
    msg,
  );
}

// ---- history --------------------------------------------------------------------------------------

async function historyPanel(panel, page) {
  const id = encodeURIComponent(page.endpoint.id);
  const diffHost = h('div.diff-host');
  const versions = await api(`/endpoints/${id}/versions`);
  const codeOf = async (v) => (v.code !== undefined ? v.code : (await api(`/endpoints/${id}/versions/${v.version}`)).code);
  const rows = versions.map((v) =>
    h(
      'li.version',
      h(
        'div',
        h('strong', `v${v.version}`),
        ' ',
        v.current ? badge('current') : null,
        v.running ? badge('running') : null,
        v.compiled ? h('small', ' compiled') : null,
        h('br'),
        h('small', `${fmtTime(v.created_at)}${v.created_by ? ' · ' + v.created_by : ''} · ${fmtBytes(v.code_bytes)}`),
      ),
      h(
        'div.row',
        h(
          'button',
          {
            type: 'button',
            onclick: async () => {
              try {
                const code = await codeOf(v);
                clear(diffHost, (await import('./diff.js')).renderDiff(code, page.editor.value, [`v${v.version}`, 'editor']));
              } catch (err) {
                showError(err, 'diff');
              }
            },
          },
          'Diff',
        ),
        h('button', { type: 'button', onclick: () => rollback(page, v.version, panel), disabled: v.current }, 'Roll back'),
      ),
    ),
  );
  clear(panel, h('h3', 'Code history'), versions.length ? h('ol.versions', { reversed: true }, rows) : h('p.hint', 'No saved revision yet.'), diffHost);
  return null;
}

async function rollback(page, version, panel) {
  try {
    const result = await api(`/endpoints/${encodeURIComponent(page.endpoint.id)}/rollback`, { method: 'POST', body: { version } });
    await page.reload();
    page.editor.setValue(page.endpoint.code || '');
    page.dirty = false;
    showDiagnostics(page, []);
    await historyPanel(panel, page);
    // Said once the editor and the history show the rolled-back code, not while they still show the old one.
    toast(`rolled back to v${result.rolled_back_to}: now v${result.version} (${result.status})`);
  } catch (err) {
    if (err.data?.diagnostics) {
      showDiagnostics(page, err.data.diagnostics, `v${version} no longer compiles: nothing served changed`);
    }
    showError(err, 'rollback');
  }
}

// ---- request tester -------------------------------------------------------------------------------

function parseLines(text, sep) {
  const out = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) {
      continue;
    }
    const i = line.indexOf(sep);
    const k = (i < 0 ? line : line.slice(0, i)).trim();
    const v = i < 0 ? '' : line.slice(i + 1).trim();
    if (out[k] === undefined) {
      out[k] = v;
    } else {
      out[k] = [].concat(out[k], v);
    }
  }
  return out;
}

function hexDump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length && i < 64 * 1024; i += 16) {
    const chunk = bytes.subarray(i, i + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...chunk].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${i.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines.join('\n');
}

async function testerPanel(panel, page) {
  const e = page.endpoint;
  const params = [...e.path.matchAll(/\{\*?(\w+)\}/g)].map((m) => m[1]);
  const form = h('form.form.tester');
  const method = h('select', { name: 'method' }, METHODS.map((m) => h('option', { selected: m === e.method }, m)));
  const paramInputs = params.map((p) => h('input', { name: 'param-' + p, placeholder: p, 'aria-label': 'path parameter ' + p, required: true, spellcheck: 'false' }));
  const query = h('textarea', { name: 'query', rows: '2', placeholder: 'name=value, one per line', spellcheck: 'false' });
  const headers = h('textarea', { name: 'headers', rows: '2', placeholder: 'Name: value, one per line', spellcheck: 'false' });
  const body = h('textarea', { name: 'body', rows: '4', placeholder: 'request body', spellcheck: 'false' });
  const result = h('div.result', { 'aria-live': 'polite' });
  form.append(
    ...[
    h('div.row', method, h('code.path', e.path)),
    params.length ? h('div.params', params.map((p, i) => field(`{${p}}`, paramInputs[i]))) : null,
    field('Query', query),
    field('Headers', headers),
    field('Body', body),
    h('button.primary', { type: 'submit' }, 'Send'),
    h('small.hint', ' through the real gateway'),
    ].filter(Boolean),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    let path = e.path;
    params.forEach((p, i) => {
      path = path.replace(new RegExp(`\\{\\*?${p}\\}`), encodeURIComponent(paramInputs[i].value));
    });
    const headerMap = Object.fromEntries(Object.entries(parseLines(headers.value, ':')).map(([k, v]) => [k, [].concat(v).join(', ')]));
    const request = { method: method.value, path, query: parseLines(query.value, '='), headers: headerMap };
    if (body.value && !['GET', 'HEAD'].includes(method.value)) {
      request.body = body.value;
    }
    if (e.domain !== '*') {
      request.host = e.domain;
    }
    clear(result, h('p.hint', 'Sending…'));
    try {
      showResponse(result, await api('/test-request', { method: 'POST', body: request }));
    } catch (err) {
      clear(result, h('p.notice.error', { role: 'alert' }, err.message));
    }
  });
  clear(panel, form, result);
  return null;
}

function showResponse(host, r) {
  const bytes = Uint8Array.from(atob(r.body_base64 || ''), (c) => c.charCodeAt(0));
  let pretty = null;
  if (r.body_text !== undefined && r.body_text !== null) {
    try {
      pretty = JSON.stringify(JSON.parse(r.body_text), null, 2);
    } catch {
      pretty = null;
    }
  }
  const views = {
    pretty: pretty,
    raw: r.body_text ?? null,
    hex: hexDump(bytes),
  };
  const modes = Object.keys(views).filter((k) => views[k] !== null);
  const pre = h('pre.body');
  const buttons = modes.map((m) =>
    h(
      'button.tab',
      {
        type: 'button',
        'aria-pressed': 'false',
        onclick: () => {
          pre.textContent = views[m];
          for (const b of buttons) {
            b.setAttribute('aria-pressed', b.textContent === m ? 'true' : 'false');
          }
        },
      },
      m,
    ),
  );
  const cls = r.status >= 500 ? 'err' : r.status >= 400 ? 'warn' : 'ok';
  clear(
    host,
    h(
      'p.status-line',
      h('strong.status.' + cls, String(r.status)),
      ` · ${Number(r.duration_ms).toFixed(1)} ms · ${fmtBytes(r.size ?? bytes.length)}${r.content_type ? ' · ' + r.content_type : ''}${r.truncated ? ' · truncated' : ''}`,
    ),
    h('details', h('summary', `Headers (${Object.keys(r.headers || {}).length})`), h('table.kv', Object.entries(r.headers || {}).map(([k, v]) => h('tr', h('th', k), h('td', Array.isArray(v) ? v.join(', ') : v))))),
    h('div.row', { role: 'group', 'aria-label': 'body view' }, buttons),
    pre,
  );
  buttons[0]?.click();
}

// ---- live view ------------------------------------------------------------------------------------

async function livePanel(panel, page) {
  const { lineChart } = await import('./chart.js');
  const id = encodeURIComponent(page.endpoint.id);
  const charts = { rate: h('div.chart-box'), errors: h('div.chart-box'), latency: h('div.chart-box') };
  const totals = h('p.totals');
  const log = h('ol.log', { 'aria-label': 'endpoint log', tabindex: '0' });
  const logState = h('small.hint');
  const abort = new AbortController();
  let timer = 0;
  clear(
    panel,
    h('h3', 'Last 5 minutes'),
    totals,
    h('div.charts', charts.rate, charts.errors, charts.latency),
    h('h3', 'Log ', logState),
    log,
  );
  const poll = async () => {
    try {
      const m = await api(`/endpoints/${id}/metrics`, { query: { seconds: 300, step: 5 }, signal: abort.signal });
      const step = m.step_seconds || 5;
      const pts = m.points || [];
      const to = pts.length ? pts[pts.length - 1].t + step : Date.now() / 1000;
      const from = to - 300;
      lineChart(charts.rate, { title: 'requests per second', from, to, unit: '/s', series: [{ label: 'req/s', cls: 'c1', points: pts.map((p) => [p.t, p.requests / step]) }] });
      lineChart(charts.errors, {
        title: 'error rate',
        from,
        to,
        unit: '%',
        series: [
          { label: '5xx', cls: 'c3', points: pts.map((p) => [p.t, p.requests ? (100 * p.errors) / p.requests : 0]) },
          { label: '4xx', cls: 'c4', points: pts.map((p) => [p.t, p.requests ? (100 * p.client_errors) / p.requests : 0]) },
        ],
      });
      lineChart(charts.latency, {
        title: 'latency',
        from,
        to,
        unit: ' ms',
        series: [
          { label: 'p50', cls: 'c1', points: pts.filter((p) => p.requests).map((p) => [p.t, p.p50_ms]) },
          { label: 'p99', cls: 'c2', points: pts.filter((p) => p.requests).map((p) => [p.t, p.p99_ms]) },
        ],
      });
      const t = m.totals || {};
      totals.textContent =
        m.enabled === false
          ? 'metrics are off on this server (--endpoint-metrics off)'
          : `${t.requests ?? 0} requests · ${t.errors ?? 0} server errors · ${t.client_errors ?? 0} client errors` +
            (t.requests ? ` · p50 ${t.p50_ms} ms · p99 ${t.p99_ms} ms` : '');
      totals.dataset.requests = String(t.requests ?? 0);
    } catch (err) {
      if (err.name !== 'AbortError') {
        totals.textContent = 'metrics: ' + err.message;
      }
    }
    if (!abort.signal.aborted) {
      timer = setTimeout(poll, 2000);
    }
  };
  const addLine = (l) => {
    const li = h(
      'li.lvl-' + String(l.level || 'info').toLowerCase(),
      h('time', (l.time || '').replace(/^.*T/, '').replace('Z', '')),
      ' ',
      h('span.level', l.level || ''),
      ' ',
      h('span.msg', l.message),
      l.request_id ? h('small', ' ' + l.request_id) : null,
    );
    const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.append(li);
    while (log.children.length > 500) {
      log.firstChild.remove();
    }
    if (stick) {
      log.scrollTop = log.scrollHeight;
    }
  };
  const seen = new Set();
  const tail = async () => {
    let last = null;
    try {
      const recent = await api(`/endpoints/${id}/logs`, { query: { limit: 100 }, signal: abort.signal });
      for (const l of recent) {
        addLine(l);
        seen.add(`${l.time}|${l.level}|${l.message}|${l.request_id}`);
        last = l.seq ?? last;
      }
    } catch (err) {
      if (err.name === 'AbortError') {
        return;
      }
      logState.textContent = err.message;
    }
    const { stream } = await import('./api.js');
    while (!abort.signal.aborted) {
      logState.textContent = '· live';
      try {
        await stream(`/endpoints/${id}/logs/stream`, {
          signal: abort.signal,
          lastEventId: last,
          onEvent: (ev) => {
            try {
              const l = JSON.parse(ev.data);
              if (last !== null && l.seq !== undefined && l.seq <= last) {
                return;
              }
              last = l.seq ?? ev.id ?? last;
              addLine(l);
            } catch {
              addLine({ level: 'info', message: ev.data });
            }
          },
        });
      } catch (err) {
        if (err.name === 'AbortError') {
          return;
        }
        if (err.status === 404 && /no admin route/.test(err.message)) {
          return pollLogs();
        }
        logState.textContent = '· ' + err.message + ' (retrying)';
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  // A server without the log stream: poll the recent lines instead, showing the ones not seen yet.
  const pollLogs = async () => {
    logState.textContent = '· polled';
    while (!abort.signal.aborted) {
      await new Promise((r) => setTimeout(r, 2000));
      try {
        for (const l of await api(`/endpoints/${id}/logs`, { query: { limit: 100 }, signal: abort.signal })) {
          const key = `${l.time}|${l.level}|${l.message}|${l.request_id}`;
          if (!seen.has(key)) {
            seen.add(key);
            addLine(l);
          }
        }
      } catch (err) {
        if (err.name === 'AbortError') {
          return;
        }
        logState.textContent = '· ' + err.message;
      }
    }
  };
  poll();
  tail();
  return () => {
    abort.abort();
    clearTimeout(timer);
  };
}
