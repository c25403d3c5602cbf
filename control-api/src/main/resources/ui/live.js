// Live connections: GET /events (Server-Sent Events) read with fetch, so the server's comment lines
// (an "event: dropped" with {"dropped": n}, or an older server's ": dropped N events" comment) are seen too.
import { esc, enc, get } from './api.js';

const STATES = ['connecting', 'open', 'half_closed', 'closed'];

/** The newest connections seen on the feed, at most `limit`, kept newest first. */
class Feed {
  constructor() {
    this.limit = Number(localStorage.getItem('chaos.liveLimit')) || 200;
    this.connections = new Map(); // key "proxy/id" -> connection; Map keeps insertion order: oldest first
    this.dropped = 0;
    this.events = 0;
    this.listeners = new Set();
    this.statusListeners = new Set();
    this.pending = false;
  }

  onStatus(fn) { this.statusListeners.add(fn); }
  status(text, bad) { for (const fn of this.statusListeners) fn(text, bad); }

  /** Called at most every 200 ms, however fast events come: the page renders in batches. */
  subscribe(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  changed() {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      requestAnimationFrame(() => { for (const fn of this.listeners) fn(); });
    }, 200);
  }

  setLimit(n) {
    this.limit = Math.max(10, Math.min(5000, n | 0));
    localStorage.setItem('chaos.liveLimit', String(this.limit));
    this.trim();
    this.changed();
  }

  trim() {
    for (const key of this.connections.keys()) {
      if (this.connections.size <= this.limit) break;
      this.connections.delete(key);
    }
  }

  add(type, e) {
    if (type === 'dropped') {   // the server's report of events it could not send us: {"dropped": n}
      this.dropped += Number(e.dropped) || 0;
      this.changed();
      return;
    }
    this.events++;
    const key = e.proxy + '/' + e.connection;
    let c = this.connections.get(key);
    if (!c) {
      c = { proxy: e.proxy, id: e.connection, events: [], state: 'connecting', reason: null, client: null };
      this.connections.set(key, c);
      this.trim();
    }
    c.events.push(e);
    if (type === 'accepted') c.client = e.address || e.detail;
    if (type === 'upstream_connected' && c.state === 'connecting') c.state = 'open';
    if (type === 'fin' && c.state === 'open') c.state = 'half_closed';
    if (type === 'closed') { c.state = 'closed'; c.reason = e.reason || e.detail; }
    this.changed();
  }

  newestFirst() { return [...this.connections.values()].reverse(); }

  async start() {
    for (;;) {
      try {
        await this.read();
        this.status('feed: ended, reconnecting', true);
      } catch (e) {
        this.status('feed: lost (' + e.message + '), reconnecting', true);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  async read() {
    const response = await fetch('/events', { headers: { Accept: 'text/event-stream' } });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    this.status('feed: live', false);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let type = 'message';
    let data = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).replace(/\r$/, '');
        buffer = buffer.slice(nl + 1);
        if (line === '') {
          if (data) this.add(type, JSON.parse(data));
          type = 'message';
          data = '';
        } else if (line.startsWith(':')) {
          const m = line.match(/dropped (\d+) events/);
          if (m) { this.dropped += Number(m[1]); this.changed(); }
        } else if (line.startsWith('event:')) {
          type = line.slice(6).trim();
        } else if (line.startsWith('data:')) {
          data += line.slice(5).trim();
        }
      }
    }
  }
}

export const feed = new Feed();

/** ms between the client's first bytes and the server's first answer: what an upstream latency toxic adds to. */
export function answerGapMs(events) {
  const t = (leg) => events.find((e) => e.type === 'first_byte' && e.leg === leg);
  const c = t('client');
  const s = t('server');
  return c && s ? (s.t_us - c.t_us) / 1000 : null;
}

export function mount(view) {
  view.innerHTML = `
    <h2>Live connections</h2>
    <p class="lead">Every connection through every proxy as it happens, newest first (the feed <code>GET /events</code>).
      Open one to see its sequence diagram.</p>
    <form class="filters" id="filters" aria-label="Filter connections">
      <label>Proxy <select name="proxy"><option value="">all</option></select></label>
      <label>State <select name="state"><option value="">all</option>
        ${STATES.map((s) => `<option>${s}</option>`).join('')}</select></label>
      <label>Close reason <select name="reason"><option value="">all</option></select></label>
      <label>Keep newest <input name="limit" type="number" min="10" max="5000" value="${feed.limit}"></label>
    </form>
    <p id="dropped" class="warn" role="status" hidden></p>
    <p id="counts" class="muted"></p>
    <div class="table-wrap"><table class="live" id="live">
      <thead><tr><th>#</th><th>proxy</th><th>client</th><th>state</th><th>close reason</th>
        <th>answer after</th><th>events</th></tr></thead>
      <tbody></tbody></table></div>`;
  const form = view.querySelector('#filters');
  const tbody = view.querySelector('#live tbody');
  const filter = { proxy: '', state: '', reason: '' };
  form.addEventListener('change', (ev) => {
    if (ev.target.name === 'limit') feed.setLimit(Number(ev.target.value));
    else filter[ev.target.name] = ev.target.value;
    render();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  get('/proxies').then((all) => fillOptions(form.proxy, Object.keys(all))).catch(() => {});

  function fillOptions(select, values) {
    const have = new Set([...select.options].map((o) => o.value));
    for (const v of values) {
      if (v && !have.has(v)) select.add(new Option(v, v));
    }
  }

  function render() {
    const started = performance.now();
    const all = feed.newestFirst();
    fillOptions(form.proxy, [...new Set(all.map((c) => c.proxy))]);
    fillOptions(form.reason, [...new Set(all.map((c) => c.reason))]);
    const shown = all.filter((c) => (!filter.proxy || c.proxy === filter.proxy)
      && (!filter.state || c.state === filter.state) && (!filter.reason || c.reason === filter.reason));
    tbody.innerHTML = shown.map(row).join('') ||
      '<tr><td colspan="7" class="muted">No connection yet: send a request through a proxy.</td></tr>';
    const dropped = view.querySelector('#dropped');
    dropped.hidden = feed.dropped === 0;
    dropped.textContent = `The server dropped ${feed.dropped} events for this page (it read too slowly);`
      + ' some connections here miss events.';
    view.querySelector('#counts').textContent = `${shown.length} shown of ${all.length} kept (newest ${feed.limit});`
      + ` ${feed.events} events received; rendered in ${(performance.now() - started).toFixed(1)} ms`;
  }

  function row(c) {
    const gap = answerGapMs(c.events);
    return `<tr data-connection="${esc(c.proxy)}/${c.id}" data-state="${c.state}">
      <td><a href="#/connections/${enc(c.proxy)}/${c.id}">${c.id}</a></td>
      <td>${esc(c.proxy)}</td><td>${esc(c.client)}</td>
      <td><span class="state ${c.state}">${c.state}</span></td>
      <td class="reason">${esc(c.reason || '')}</td>
      <td class="answer-gap" data-ms="${gap ?? ''}">${gap === null ? '' : gap.toFixed(1) + ' ms'}</td>
      <td class="events">${c.events.map((e) =>
        `<span class="chip ${e.type}" title="${esc(e.detail || '')}">${e.type}</span>`).join(' ')}</td></tr>`;
  }

  render();
  return feed.subscribe(render);
}
