// Services: the list, a form per service type (from /api/service-types; secrets write-only), test
// connection with latency, activate/deactivate, and which endpoints bind each one.

import { api } from './api.js';
import { h, clear, toast, showError, confirmDialog, field, badge, notice } from './ui.js';

let typesCache = null;

async function serviceTypes() {
  typesCache ??= await api('/service-types');
  return typesCache;
}

export async function servicesView(view, parts) {
  view.dataset.section = 'services';
  const list = h('div.service-list');
  const detail = h('section.detail');
  clear(
    view,
    h(
      'div.split',
      h('aside.sidebar', h('div.row', h('a.button.primary', { href: '#/services/new' }, '+ New service'), h('button', { type: 'button', onclick: () => renderList(list, parts[0]) }, 'Reload')), list),
      detail,
    ),
  );
  await renderList(list, parts[0]);
  if (parts[0] === 'new') {
    await serviceForm(detail, null);
  } else if (parts[0]) {
    await serviceForm(detail, parts[0]);
  } else {
    clear(detail, h('div.empty', h('h2', 'Services'), h('p', 'Databases, caches, object stores, file transfer and mail that handlers reach by name once bound to an endpoint.')));
  }
  return null;
}

async function renderList(host, current) {
  let services;
  try {
    services = await api('/services');
  } catch (err) {
    clear(host, h('p.notice.error', { role: 'alert' }, err.message));
    return;
  }
  clear(
    host,
    services.length
      ? h(
          'ul.plain.services',
          services.map((s) =>
            h(
              'li',
              h(
                'a.ep',
                { href: '#/services/' + encodeURIComponent(s.id), 'aria-current': s.id === current ? 'page' : null },
                h('span.method', s.service_type),
                h('span.ep-name', s.name),
                h('span.badges', badge(s.active ? 'active' : 'inactive'), s.enabled ? null : badge('disabled')),
              ),
            ),
          ),
        )
      : h('p.hint', 'No services yet.'),
  );
}

function inputFor(f, value, editing) {
  const name = 'config.' + f.name;
  if (f.kind === 'bool') {
    return h('input', { type: 'checkbox', name, checked: value ?? f.default ?? false });
  }
  if (f.kind === 'enum') {
    return h(
      'select',
      { name },
      f.required ? null : h('option', { value: '' }, '(default)'),
      (f.options || []).map((o) => h('option', { value: o, selected: String(value ?? f.default ?? '') === String(o) }, o)),
    );
  }
  if (f.kind === 'secret') {
    return h('input', {
      type: 'password',
      name,
      autocomplete: 'new-password',
      placeholder: editing ? 'unchanged (write-only)' : '',
      required: f.required && !editing,
    });
  }
  return h('input', {
    type: f.kind === 'int' ? 'number' : 'text',
    name,
    value: value ?? '',
    placeholder: f.default !== undefined && f.default !== null ? String(f.default) : '',
    required: !!f.required,
    spellcheck: 'false',
  });
}

async function serviceForm(detail, id) {
  let types;
  let service = null;
  try {
    [types, service] = await Promise.all([serviceTypes(), id ? api('/services/' + encodeURIComponent(id)) : null]);
  } catch (err) {
    clear(detail, h('p.notice.error', { role: 'alert' }, err.message));
    return;
  }
  const editing = !!service;
  const msg = h('p.notice', { hidden: true });
  const typeSelect = h(
    'select',
    { name: 'service_type', disabled: editing },
    types.map((t) => h('option', { value: t.type, selected: t.type === service?.service_type }, t.label || t.type)),
  );
  const fieldsHost = h('div.grid2');
  const renderFields = () => {
    const t = types.find((x) => x.type === typeSelect.value);
    clear(
      fieldsHost,
      (t?.fields || []).map((f) => {
        const input = inputFor(f, service?.config?.[f.name], editing);
        const label = f.name + (f.required ? ' *' : '') + (f.kind === 'secret' ? ' (secret)' : '');
        return f.kind === 'bool' ? h('div.field.check', h('label', input, ' ' + label), f.description ? h('small.hint', f.description) : null) : field(label, input, f.description);
      }),
    );
  };
  typeSelect.addEventListener('change', renderFields);
  renderFields();
  const form = h(
    'form.card.form',
    h('h2', editing ? `Service ${service.name}` : 'New service'),
    h('div.grid2', field('Name', h('input', { name: 'name', required: true, value: service?.name || '', spellcheck: 'false' }), 'handlers bind it under a name'), field('Type', typeSelect)),
    fieldsHost,
    h('div.field.check', h('label', h('input', { type: 'checkbox', name: 'enabled', checked: service ? service.enabled : true }), ' enabled')),
    msg,
    h('div.row', h('button.primary', { type: 'submit' }, editing ? 'Save' : 'Create'), h('a.button', { href: '#/services' }, 'Cancel')),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const t = types.find((x) => x.type === typeSelect.value);
    const config = {};
    for (const f of t.fields) {
      const input = form.elements['config.' + f.name];
      if (f.kind === 'bool') {
        config[f.name] = input.checked;
      } else if (input.value === '') {
        // Left empty: the default on create; on edit the stored value stays (secrets are write-only).
        continue;
      } else {
        config[f.name] = f.kind === 'int' ? Number(input.value) : input.value;
      }
    }
    const body = { name: form.elements.name.value, config, enabled: form.elements.enabled.checked };
    if (!editing) {
      body.service_type = typeSelect.value;
    }
    try {
      const saved = await api(editing ? '/services/' + encodeURIComponent(id) : '/services', { method: editing ? 'PUT' : 'POST', body });
      toast(`${editing ? 'saved' : 'created'} service ${saved.name}`);
      location.hash = '#/services/' + encodeURIComponent(saved.id);
      if (editing) {
        await servicesView(document.getElementById('view'), [saved.id]);
      }
    } catch (err) {
      notice(msg, 'error', err.message);
      for (const el of form.querySelectorAll('.field-error')) {
        el.remove();
      }
      for (const [name, problem] of Object.entries(err.data?.fields || {})) {
        form.elements[name]?.closest('.field')?.append(h('small.field-error', `${name}: ${problem}`));
      }
    }
  });
  const parts = [form];
  if (editing) {
    parts.push(actionsCard(service), await bindingsCard(service));
  }
  clear(detail, ...parts);
}

function actionsCard(service) {
  const out = h('p.notice', { hidden: true });
  const sid = encodeURIComponent(service.id);
  const run = (label, fn) =>
    h(
      'button',
      {
        type: 'button',
        onclick: async () => {
          notice(out, 'info', label + '…');
          try {
            await fn();
          } catch (err) {
            notice(out, 'error', err.message);
          }
        },
      },
      label,
    );
  return h(
    'div.card',
    h('h3', 'Connection ', badge(service.active ? 'active' : 'inactive')),
    h(
      'div.row',
      run('Test connection', async () => {
        const r = await api(`/services/${sid}/test`, { method: 'POST' });
        notice(out, r.connected ? 'ok' : 'error', r.connected ? `connected in ${r.latency_ms} ms${r.message ? ' · ' + r.message : ''}` : `not connected (${r.latency_ms ?? '?'} ms): ${r.error}`);
      }),
      run(service.active ? 'Deactivate' : 'Activate', async () => {
        const r = await api(`/services/${sid}/${service.active ? 'deactivate' : 'activate'}`, { method: 'POST' });
        toast(`${service.name} ${r.active ? 'activated' : 'deactivated'}${r.latency_ms !== undefined && r.latency_ms !== null ? ` (${r.latency_ms} ms)` : ''}`);
        await servicesView(document.getElementById('view'), [service.id]);
      }),
      h(
        'button.danger',
        {
          type: 'button',
          onclick: async () => {
            if (!(await confirmDialog(`Delete service ${service.name}? Endpoints bound to it lose it.`))) {
              return;
            }
            try {
              await api(`/services/${sid}`, { method: 'DELETE' });
              toast(`deleted ${service.name}`);
              location.hash = '#/services';
            } catch (err) {
              showError(err, 'delete');
            }
          },
        },
        'Delete',
      ),
    ),
    out,
  );
}

async function bindingsCard(service) {
  const card = h('div.card', h('h3', 'Bound to'));
  try {
    const endpoints = await api('/endpoints?fields=summary');
    // One request per endpoint: fine for the tens of endpoints an edge box holds; capped at 200.
    const lists = await Promise.all(endpoints.slice(0, 200).map((e) => api(`/endpoints/${encodeURIComponent(e.id)}/services`).then((b) => [e, b])));
    const bound = lists.flatMap(([e, b]) => b.filter((x) => x.service_id === service.id).map((x) => [e, x]));
    card.append(
      bound.length
        ? h('ul.plain', bound.map(([e, b]) => h('li', h('a', { href: `#/endpoints/${encodeURIComponent(e.id)}/settings` }, `${e.method} ${e.path}`), ' as ', h('code', b.pool_id))))
        : h('p.hint', 'No endpoint binds this service yet: bind it in an endpoint\'s Settings tab.'),
    );
  } catch (err) {
    card.append(h('p.notice.error', { role: 'alert' }, err.message));
  }
  return card;
}
