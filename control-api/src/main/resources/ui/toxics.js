// One proxy: its settings, and its toxics grouped by phase with add/edit forms generated from GET /toxic-types.
import { api, get, esc, enc, field, showFieldError, clearErrors } from './api.js';
import { proxyForm, proxyBody } from './proxies.js';

const PHASES = ['connect', 'tls', 'established', 'teardown'];

function attributeInput(spec, value) {
  const name = 'attr-' + spec.name;
  const v = value ?? spec.default;
  if (spec.kind === 'text') {
    return field(spec.name, 'attributes.' + spec.name,
      `<select name="${esc(name)}">${spec.allowed.map((a) =>
        `<option ${a === v ? 'selected' : ''}>${esc(a)}</option>`).join('')}</select>`, spec.description);
  }
  const step = spec.kind === 'integer' ? '1' : 'any';
  // No min/max on the input: the API judges the value and its message is shown next to the field.
  return field(`${spec.name}${spec.unit ? ' (' + spec.unit + ')' : ''}`, 'attributes.' + spec.name,
    `<input name="${esc(name)}" type="number" step="${step}" value="${esc(v)}">`,
    `${spec.description}; ${spec.min} to ${spec.max}`);
}

function toxicForm(type, toxic) {
  const sel = toxic?.selector ?? {};
  const sch = toxic?.schedule ?? {};
  return `
    <p class="muted">${esc(type.description)} <span class="badge">${esc(type.phase)}</span>
      <span class="badge ${type.engine}">${esc(type.engine)} engine</span></p>
    ${field('Name', 'name', `<input name="name" value="${esc(toxic?.name ?? '')}" placeholder="${esc(type.type)}_&lt;stream&gt;" ${toxic ? 'readonly' : ''}>`, toxic ? '' : 'empty: the type and stream')}
    ${field('Stream', 'stream', `<select name="stream" ${toxic ? 'disabled' : ''}>${['downstream', 'upstream'].map((s) =>
      `<option ${s === (toxic?.stream ?? 'downstream') ? 'selected' : ''}>${s}</option>`).join('')}</select>`,
      'upstream = client to server')}
    ${field('Toxicity', 'toxicity', `<input name="toxicity" type="number" step="any" value="${esc(toxic?.toxicity ?? 1)}">`, '0 to 1: the chance it applies')}
    ${type.attributes.map((a) => attributeInput(a, toxic?.attributes?.[a.name])).join('')}
    ${toxic ? `<p class="hint">Selector, schedule and seed are set when a toxic is added (an update changes toxicity
      and attributes): ${esc(JSON.stringify({ selector: toxic.selector, schedule: toxic.schedule, seed: toxic.seed }))}</p>` : `
    <fieldset><legend>Selector (optional)</legend>
      ${field('first', 'selector.first', `<input name="sel-first" type="number" value="${esc(sel.first ?? '')}">`, 'only the first N connections')}
      ${field('every', 'selector.every', `<input name="sel-every" type="number" value="${esc(sel.every ?? '')}">`, 'every Nth connection')}
      ${field('after', 'selector.after', `<input name="sel-after" type="number" value="${esc(sel.after ?? '')}">`, 'after the first N connections')}
      ${field('clients', 'selector.clients', `<input name="sel-clients" value="${esc((sel.clients ?? []).join(', '))}">`, 'CIDRs, comma separated')}
    </fieldset>
    <fieldset><legend>Schedule (optional)</legend>
      ${field('start after (ms)', 'schedule.start_after_ms', `<input name="sch-start" type="number" value="${esc(sch.start_after_ms ?? '')}">`)}
      ${field('duration (ms)', 'schedule.duration_ms', `<input name="sch-duration" type="number" value="${esc(sch.duration_ms ?? '')}">`, '0 or empty: until removed')}
    </fieldset>
    ${field('Seed', 'seed', `<input name="seed" type="number" value="${esc(toxic?.seed ?? '')}">`, 'optional: replayable random choices')}
    `}
    <div class="form-error" role="alert" hidden></div>`;
}

/** The request body from a toxic form; numbers as numbers, so the API judges what the user typed. */
function toxicBody(form, type, editing) {
  const el = (n) => form.elements.namedItem(n);
  const num = (n) => (el(n).value.trim() === '' ? undefined : Number(el(n).value));
  const body = { type: type.type, toxicity: num('toxicity'), attributes: {} };
  if (!editing) {
    if (el('name').value.trim()) body.name = el('name').value.trim();
    body.stream = el('stream').value;
  }
  for (const a of type.attributes) {
    const input = el('attr-' + a.name);
    body.attributes[a.name] = a.kind === 'text' ? input.value : (input.value.trim() === '' ? null : Number(input.value));
  }
  if (editing) return body;
  const selector = {};
  for (const k of ['first', 'every', 'after']) if (num('sel-' + k) !== undefined) selector[k] = num('sel-' + k);
  const clients = el('sel-clients').value.split(',').map((s) => s.trim()).filter(Boolean);
  if (clients.length) selector.clients = clients;
  if (Object.keys(selector).length) body.selector = selector;
  const schedule = {};
  if (num('sch-start') !== undefined) schedule.start_after_ms = num('sch-start');
  if (num('sch-duration') !== undefined) schedule.duration_ms = num('sch-duration');
  if (Object.keys(schedule).length) body.schedule = schedule;
  if (num('seed') !== undefined) body.seed = num('seed');
  return body;
}

export function mount(view, proxyName) {
  view.innerHTML = `
    <p><a href="#/proxies">&larr; all proxies</a></p>
    <h2>Proxy <span id="pname">${esc(proxyName)}</span></h2>
    <p class="form-error" id="load-error" role="alert" hidden></p>
    <section class="cols">
      <form id="edit" class="card" aria-label="Edit proxy"><h3>Settings</h3><div class="body"></div>
        <button type="submit">Save</button></form>
      <form id="add" class="card" aria-label="Add toxic"><h3 id="add-title">Add a toxic</h3>
        ${field('Type', 'type', '<select name="type"></select>')}
        <div class="body"></div>
        <button type="submit" id="add-submit">Add toxic</button>
        <button type="button" id="add-cancel" hidden>Cancel edit</button></form>
    </section>
    <h3>Toxics by phase</h3>
    <p id="packet-note" class="muted" hidden></p>
    <div id="phases" class="phases"></div>
    <p><a href="/proxies/${enc(proxyName)}/connections" target="_blank" rel="noopener">connections (JSON)</a> ·
       <a href="/proxies/${enc(proxyName)}/capture.pcap">capture.pcap</a> ·
       <a href="#/connections">live connections</a></p>`;
  const editForm = view.querySelector('#edit');
  const addForm = view.querySelector('#add');
  const typeSelect = addForm.elements.namedItem('type');
  let types = [];
  let caps = { toxics: [] };
  let editing = null; // the toxic being edited, or null when adding
  let stopped = false;

  const typeOf = (name) => types.find((t) => t.type === name);
  const available = (name) => caps.toxics.find((t) => t.type === name) ?? { available: true };

  function fillAddForm() {
    const type = typeOf(typeSelect.value);
    addForm.querySelector('.body').innerHTML = type ? toxicForm(type, editing) : '';
    const a = available(typeSelect.value);
    const submit = view.querySelector('#add-submit');
    submit.disabled = !a.available;
    submit.title = a.available ? '' : 'unavailable here: ' + a.reason;
  }

  async function loadProxy() {
    const p = await get(`/proxies/${enc(proxyName)}`);
    if (!editForm.contains(document.activeElement)) editForm.querySelector('.body').innerHTML = proxyForm(p);
    renderToxics(p.toxics);
  }

  function renderToxics(toxics) {
    const phases = view.querySelector('#phases');
    phases.innerHTML = PHASES.map((phase) => {
      const here = toxics.filter((t) => typeOf(t.type)?.phase === phase);
      return `<section class="phase" data-phase="${phase}"><h4>${phase}</h4>
        ${here.map((t) => {
          const type = typeOf(t.type);
          const a = available(t.type);
          const attrs = Object.entries(t.attributes).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' ');
          return `<div class="toxic" data-toxic="${esc(t.name)}">
            <strong>${esc(t.name)}</strong> <span class="badge">${esc(t.type)}</span>
            <span class="badge ${type?.engine}">${esc(type?.engine)}</span> <span class="badge">${esc(t.stream)}</span>
            ${t.schedule ? `<span class="badge sched ${esc(t.schedule.state)}" data-schedule>${esc(t.schedule.state)}</span>` : ''}
            ${a.available ? '' : `<span class="warn">unavailable: ${esc(a.reason)}</span>`}
            <div class="muted">${attrs} · toxicity ${t.toxicity} · connections seen ${t.connections_seen}</div>
            <button type="button" data-edit="${esc(t.name)}">edit</button>
            <button type="button" class="danger" data-remove="${esc(t.name)}">remove</button></div>`;
        }).join('') || '<p class="muted">none</p>'}</section>`;
    }).join('');
    phases.toxics = toxics;
  }

  view.querySelector('#phases').addEventListener('click', async (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    const toxics = view.querySelector('#phases').toxics;
    if (b.dataset.edit) {
      editing = toxics.find((t) => t.name === b.dataset.edit);
      typeSelect.value = editing.type;
      typeSelect.disabled = true;
      view.querySelector('#add-title').textContent = 'Edit toxic ' + editing.name;
      view.querySelector('#add-submit').textContent = 'Save toxic';
      view.querySelector('#add-cancel').hidden = false;
      fillAddForm();
      addForm.querySelector('input:not([readonly])')?.focus();
    } else if (b.dataset.remove) {
      await api('DELETE', `/proxies/${enc(proxyName)}/toxics/${enc(b.dataset.remove)}`).catch(showLoadError);
      loadProxy().catch(showLoadError);
    }
  });

  function stopEditing() {
    editing = null;
    typeSelect.disabled = false;
    view.querySelector('#add-title').textContent = 'Add a toxic';
    view.querySelector('#add-submit').textContent = 'Add toxic';
    view.querySelector('#add-cancel').hidden = true;
    fillAddForm();
  }

  view.querySelector('#add-cancel').addEventListener('click', stopEditing);
  typeSelect.addEventListener('change', fillAddForm);

  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(addForm);
    const type = typeOf(typeSelect.value);
    try {
      if (editing) {
        await api('POST', `/proxies/${enc(proxyName)}/toxics/${enc(editing.name)}`, toxicBody(addForm, type, true));
        stopEditing();
      } else {
        await api('POST', `/proxies/${enc(proxyName)}/toxics`, toxicBody(addForm, type, false));
        fillAddForm();
      }
      await loadProxy();
    } catch (e) {
      showFieldError(addForm, e);
    }
  });

  editForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(editForm);
    const body = proxyBody(editForm);
    delete body.name;
    try {
      await api('POST', `/proxies/${enc(proxyName)}`, body);
      editForm.querySelector('.body').innerHTML = '';
      await loadProxy();
    } catch (e) {
      showFieldError(editForm, e);
    }
  });

  function showLoadError(e) {
    const p = view.querySelector('#load-error');
    p.textContent = e.message;
    p.hidden = false;
  }

  (async () => {
    try {
      [types, caps] = await Promise.all([get('/toxic-types'), get('/capabilities')]);
      typeSelect.innerHTML = PHASES.map((phase) => `<optgroup label="${phase}">${types.filter((t) => t.phase === phase)
        .map((t) => {
          const a = available(t.type);
          return `<option value="${esc(t.type)}">${esc(t.type)} (${t.engine}${a.available ? '' : ', unavailable'})</option>`;
        }).join('')}</optgroup>`).join('');
      typeSelect.value = 'latency';
      if (!caps.engines.packet.available) {
        const note = view.querySelector('#packet-note');
        note.textContent = 'Packet-engine toxics are unavailable here: ' + caps.engines.packet.reason;
        note.hidden = false;
      }
      fillAddForm();
      await loadProxy();
    } catch (e) {
      showLoadError(e);
    }
    // Schedules change state on their own (pending -> active -> removed): keep the list current.
    const tick = () => { if (!stopped) loadProxy().catch(showLoadError).finally(() => setTimeout(tick, 2000)); };
    setTimeout(tick, 2000);
  })();
  return () => { stopped = true; };
}
