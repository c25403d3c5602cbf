// The scenario catalogue by stage; a run from here and its record drawn like a connection.
import { api, get, esc, enc } from './api.js';
import { sequenceDiagram } from './diagram.js';

function recordView(r) {
  const conn = (r.connections ?? [])[0];
  const items = [];
  if (conn) {
    for (const e of conn.events) items.push({ ...e, kind: 'event', t_ms: e.t_millis });
  }
  for (const s of r.segments ?? []) items.push({ ...s, kind: 'segment', t_ms: s.t_millis });
  for (const s of r.client?.steps ?? []) items.push({ kind: 'note', side: 'client', t_ms: s.t_millis, text: s.what });
  for (const s of r.server?.steps ?? []) items.push({ kind: 'note', side: 'server', t_ms: s.t_millis, text: s.what });
  return `<article class="record" data-status="${esc(r.status)}">
    <h3>${esc(r.name)}: <span class="status ${esc(r.status)}">${esc(r.status.replace('_', ' '))}</span></h3>
    ${r.reason ? `<p class="warn">${esc(r.reason)}</p>` : ''}
    <p>${esc(r.expected)}</p>
    <ul class="checks">${(r.checks ?? []).map((c) => `<li class="${c.held ? 'held' : 'failed'}">
      ${c.held ? '✔' : '✘'} ${esc(c.expectation)} <span class="muted">observed: ${esc(c.observed)}</span></li>`).join('')}</ul>
    <dl class="facts"><dt>client saw</dt><dd class="client-saw">${esc(r.client?.saw ?? '')}</dd>
      <dt>server saw</dt><dd>${esc(r.server?.saw ?? '')}</dd>
      <dt>duration</dt><dd>${(r.duration_millis ?? 0).toFixed(0)} ms</dd></dl>
    ${items.length ? `<div class="diagram">${sequenceDiagram(items)}</div>
      <p class="hint">Left and right of the lanes: what the client and the server observed (times on the run's clock).</p>` : ''}
    <details><summary>record as JSON</summary><pre>${esc(JSON.stringify(r, null, 2))}</pre></details></article>`;
}

export function mount(view) {
  view.innerHTML = `<h2>Scenarios</h2>
    <p class="lead">Each scenario breaks one stage of a real connection between a small client and server and records
      what each side saw. Run one here (it takes seconds) to see its record.</p>
    <div id="catalogue" class="catalogue"></div><div id="record" aria-live="polite"></div>`;
  const catalogue = view.querySelector('#catalogue');
  const out = view.querySelector('#record');
  get('/scenarios').then((all) => {
    const stages = [...new Set(all.map((s) => s.stage))];
    catalogue.innerHTML = stages.map((stage) => `<section class="stage"><h3>${esc(stage)}</h3><ul>
      ${all.filter((s) => s.stage === stage).map((s) => `<li data-scenario="${esc(s.name)}">
        <button type="button" data-run="${esc(s.name)}" ${s.available ? '' : 'disabled'}>run</button>
        <strong>${esc(s.name)}</strong> <span class="muted">${esc(s.fault)}</span>
        ${s.available ? '' : `<span class="warn">unavailable: ${esc(s.reason)}</span>`}</li>`).join('')}</ul></section>`).join('');
  }).catch((e) => { catalogue.innerHTML = `<p class="form-error">${esc(e.message)}</p>`; });
  catalogue.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button[data-run]');
    if (!b) return;
    out.innerHTML = `<p role="status">Running ${esc(b.dataset.run)}…</p>`;
    b.disabled = true;
    try {
      out.innerHTML = recordView(await api('POST', `/scenarios/${enc(b.dataset.run)}/run`));
      out.querySelector('h3').setAttribute('tabindex', '-1');
      out.querySelector('h3').focus();
    } catch (e) {
      out.innerHTML = `<p class="form-error">${esc(e.message)}</p>`;
    } finally {
      b.disabled = false;
    }
  });
}
