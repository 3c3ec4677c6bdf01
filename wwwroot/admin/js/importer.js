// Import: drop an OpenAPI file or a bundle ZIP, preview (dry_run) what would change, import, and show
// per-item errors with the compiler's diagnostics.

import { api } from './api.js';
import { h, clear, toast, field, fmtBytes, notice } from './ui.js';
import { loadTree } from './endpoints.js';

export async function importView(view) {
  view.dataset.section = 'import';
  let file = null;
  let bytes = null;
  const info = h('p.hint', 'No file chosen.');
  const picker = h('input', { type: 'file', accept: '.json,.yaml,.yml,.zip', 'aria-label': 'choose an OpenAPI file or a bundle ZIP' });
  const drop = h('div.drop', { tabindex: '0', role: 'button', 'aria-label': 'drop an OpenAPI file or bundle ZIP here, or press Enter to choose one' }, h('strong', 'Drop an OpenAPI file (JSON/YAML) or a bundle ZIP here'), h('span', ' or '), picker, info);
  const domain = h('input', { name: 'domain', value: '*', spellcheck: 'false' });
  const createCollection = h('input', { type: 'checkbox', name: 'create_collection' });
  const compile = h('input', { type: 'checkbox', name: 'compile' });
  const start = h('input', { type: 'checkbox', name: 'start' });
  const partial = h('input', { type: 'checkbox', name: 'partial' });
  const msg = h('p.notice', { hidden: true });
  const result = h('div.import-result', { 'aria-live': 'polite' });
  const previewBtn = h('button', { type: 'button', disabled: true }, 'Preview (dry run)');
  const importBtn = h('button.primary', { type: 'button', disabled: true }, 'Import');

  const choose = async (f) => {
    file = f;
    bytes = new Uint8Array(await f.arrayBuffer());
    info.textContent = `${f.name} · ${fmtBytes(f.size)} · ${isZip() ? 'bundle ZIP' : 'OpenAPI spec'}`;
    previewBtn.disabled = false;
    importBtn.disabled = false;
    clear(result);
    notice(msg, '', '');
  };
  const isZip = () => bytes && bytes[0] === 0x50 && bytes[1] === 0x4b;
  picker.addEventListener('change', () => picker.files[0] && choose(picker.files[0]));
  drop.addEventListener('keydown', (e) => {
    if ((e.key === 'Enter' || e.key === ' ') && e.target === drop) {
      e.preventDefault();
      picker.click();
    }
  });
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
  }
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    const f = e.dataTransfer.files[0];
    if (f) {
      choose(f);
    }
  });

  const run = async (dryRun) => {
    const options = {
      domain: domain.value.trim() || '*',
      create_collection: createCollection.checked,
      compile: compile.checked,
      start: start.checked,
      partial: partial.checked,
      dry_run: dryRun,
    };
    notice(msg, 'info', dryRun ? 'Checking…' : 'Importing…');
    try {
      let data;
      if (isZip()) {
        const form = new FormData();
        form.append('bundle', new Blob([bytes], { type: 'application/zip' }), file.name);
        data = await api('/import/bundle', { method: 'POST', raw: form, query: options });
      } else {
        data = await api('/import/openapi', { method: 'POST', body: { spec: new TextDecoder().decode(bytes), ...options } });
      }
      notice(msg, 'ok', dryRun ? 'Dry run: nothing was changed.' : 'Imported.');
      showReport(result, data, dryRun);
      if (!dryRun) {
        toast(`imported ${file.name}`);
        await loadTree();
      }
    } catch (err) {
      notice(msg, 'error', err.message);
      showReport(result, err.data, dryRun);
    }
  };
  previewBtn.addEventListener('click', () => run(true));
  importBtn.addEventListener('click', () => run(false));

  clear(
    view,
    h(
      'div.page',
      h('h2', 'Import'),
      drop,
      field('Domain', domain, 'host the endpoints are served on, * for any'),
      h(
        'div.checks',
        ...[
          [createCollection, 'create a collection from the spec title (the domain must exist)'],
          [compile, 'compile the handlers'],
          [start, 'start them'],
          [partial, 'import the good items when some fail'],
        ].map(([input, label]) => h('label.check', input, ' ' + label)),
      ),
      h('div.row', previewBtn, importBtn),
      msg,
      result,
    ),
  );
  return null;
}

function showReport(host, data, dryRun) {
  if (!data) {
    clear(host);
    return;
  }
  const items =
    data.items ||
    (data.endpoints || []).map((e) => ({ kind: 'endpoint', name: e.name, method: e.method, path: e.path, action: e.action, status: e.status }));
  const errors = data.errors || [];
  const counts = {};
  for (const it of items) {
    counts[it.action] = (counts[it.action] || 0) + 1;
  }
  clear(
    host,
    h('h3', dryRun ? 'Would change' : 'Result', ' ', h('small', Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(' · ') || 'nothing')),
    items.length
      ? h(
          'table.items',
          h('thead', h('tr', h('th', 'kind'), h('th', 'action'), h('th', 'method'), h('th', 'path / name'))),
          h('tbody', items.map((it) => h('tr', h('td', it.kind), h('td', h('span.badge.a-' + it.action, it.action)), h('td', it.method || ''), h('td', it.path || it.name)))),
        )
      : null,
    errors.length
      ? h(
          'div.errors',
          h('h3', `${errors.length} problem${errors.length === 1 ? '' : 's'}`),
          h(
            'ul',
            errors.map((e) =>
              h(
                'li',
                typeof e === 'string'
                  ? e
                  : [
                      h('strong', [e.operation, e.file, e.pointer].filter(Boolean).join(' · ') || 'import'),
                      ': ',
                      e.message,
                      e.diagnostics?.length
                        ? h('ul.diags', e.diagnostics.map((d) => h('li.diag.' + (d.severity === 'error' ? 'err' : 'warn'), `line ${d.line}, col ${d.column}: ${d.id ? d.id + ' ' : ''}${d.message}`)))
                        : null,
                    ],
              ),
            ),
          ),
        )
      : null,
    (data.warnings || []).length ? h('ul.warnings', data.warnings.map((w) => h('li', w))) : null,
  );
}
