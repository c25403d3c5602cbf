// One connection's life: its timeline from GET /proxies/{p}/connections drawn as a sequence diagram.
import { get, esc, enc } from './api.js';
import { sequenceDiagram } from './diagram.js';
import { answerGapMs } from './live.js';

export function mount(view, proxy, idText) {
  const id = Number(idText);
  view.innerHTML = `<p><a href="#/connections">&larr; live connections</a></p>
    <h2>Connection ${id} of proxy ${esc(proxy)}</h2>
    <p class="links"><a href="/proxies/${enc(proxy)}/connections" target="_blank" rel="noopener">connection JSON</a> ·
      <a href="/proxies/${enc(proxy)}/capture.pcap">capture.pcap</a> (packet engine)</p>
    <div id="summary" role="status"></div><div id="diagram" class="diagram"></div>
    <details><summary>timeline as JSON</summary><pre id="json"></pre></details>`;
  let stopped = false;

  async function load() {
    let c;
    try {
      const all = await get(`/proxies/${enc(proxy)}/connections`);
      c = all.find((x) => x.id === id);
    } catch (e) {
      view.querySelector('#summary').innerHTML = `<p class="form-error">${esc(e.message)}</p>`;
      return;
    }
    if (!c) {
      view.querySelector('#summary').innerHTML = '<p class="muted">This connection is no longer kept by the server'
        + ' (it keeps the most recently closed ones: --keep-closed).</p>';
      return;
    }
    const gap = answerGapMs(c.events);
    const last = c.events[c.events.length - 1];
    view.querySelector('#summary').innerHTML = `<dl class="facts">
      <dt>client</dt><dd>${esc(c.client)}</dd><dt>state</dt><dd class="state ${esc(c.state)}">${esc(c.state)}</dd>
      <dt>close reason</dt><dd id="close-reason">${esc(c.close_reason ?? '')}</dd>
      <dt>bytes</dt><dd>${c.bytes.upstream} up, ${c.bytes.downstream} down</dd>
      <dt>server answered after</dt><dd id="answer-gap" data-ms="${gap ?? ''}">${gap === null ? 'n/a' : gap.toFixed(1) + ' ms'}
        <span class="hint">(client's first bytes to server's first bytes, at the proxy)</span></dd>
      <dt>lifetime</dt><dd>${last ? (last.t_us / 1000).toFixed(1) + ' ms' : ''}</dd></dl>`;
    const items = c.events.map((e) => ({ ...e, kind: 'event', t_ms: e.t_us / 1000 }))
      .concat((c.segments ?? []).map((s) => ({ ...s, kind: 'segment', t_ms: s.t_us / 1000 })));
    view.querySelector('#diagram').innerHTML = sequenceDiagram(items);
    view.querySelector('#json').textContent = JSON.stringify(c, null, 2);
    if (c.state !== 'closed' && !stopped) setTimeout(load, 1000);
  }
  load();
  return () => { stopped = true; };
}
