// Proxies: every proxy with its live figures (from GET /metrics, sampled every 2 s), created, edited, enabled,
// disabled and deleted through the Toxiproxy API.
import { api, get, esc, enc, field, showFieldError, clearErrors } from './api.js';

/** Counters and gauges of one /metrics sample, per proxy. */
function parseMetrics(text) {
  const out = {};
  const per = (p) => (out[p] ??= { open: 0, accepted: 0, up: 0, down: 0, closes: {} });
  for (const line of text.split('\n')) {
    const m = line.match(/^(chaosproxy_[a-z_]+)\{([^}]*)\}\s+(\S+)/);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!labels.proxy) continue;
    const v = Number(m[3]);
    const p = per(labels.proxy);
    if (m[1] === 'chaosproxy_connections_active') p.open = v;
    else if (m[1] === 'chaosproxy_connections_accepted_total') p.accepted = v;
    else if (m[1] === 'chaosproxy_bytes_total') p[labels.direction === 'upstream' ? 'up' : 'down'] = v;
    else if (m[1] === 'chaosproxy_connections_closed_total') p.closes[labels.reason] = v;
  }
  return out;
}

const history = []; // {t, metrics}: the last minute of samples

function figures(name) {
  const now = history[history.length - 1];
  const prev = history[history.length - 2];
  const minuteAgo = history[0];
  const cur = now?.metrics[name];
  if (!cur) return { open: 0, acceptedPerS: 0, upPerS: 0, downPerS: 0, closes: {} };
  const rate = (key) => {
    const before = prev?.metrics[name];
    if (!before) return 0;
    return Math.max(0, cur[key] - before[key]) / ((now.t - prev.t) / 1000);
  };
  const closes = {};
  const old = minuteAgo.metrics[name]?.closes ?? {};
  for (const [reason, n] of Object.entries(cur.closes)) {
    const d = n - (old[reason] ?? 0);
    if (d > 0) closes[reason] = d;
  }
  return { open: cur.open, acceptedPerS: rate('accepted'), upPerS: rate('up'), downPerS: rate('down'), closes };
}

function bytes(n) {
  if (n < 1024) return n.toFixed(0) + ' B/s';
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KiB/s';
  return (n / 1024 / 1024).toFixed(1) + ' MiB/s';
}

export function proxyForm(p) {
  return `
    ${field('Name', 'name', `<input name="name" required value="${esc(p?.name ?? '')}" ${p ? 'readonly' : ''}>`)}
    ${field('Listen', 'listen', `<input name="listen" required placeholder="127.0.0.1:0" value="${esc(p?.listen ?? '127.0.0.1:0')}">`, 'host:port; port 0 picks a free one')}
    ${field('Upstream', 'upstream', `<input name="upstream" required placeholder="127.0.0.1:5432" value="${esc(p?.upstream ?? '')}">`, 'host:port')}
    <div class="field"><label><input type="checkbox" name="enabled" data-field="enabled" ${!p || p.enabled ? 'checked' : ''}> enabled</label></div>
    <div class="form-error" role="alert" hidden></div>`;
}

export function proxyBody(form) {
  const el = (n) => form.elements.namedItem(n);
  return { name: el('name').value.trim(), listen: el('listen').value.trim(), upstream: el('upstream').value.trim(),
    enabled: el('enabled').checked };
}

export function mount(view) {
  view.innerHTML = `
    <h2>Proxies</h2>
    <p class="lead">Each proxy listens for clients and forwards them to its upstream. Figures are live: connections open
      now, accepted and bytes per second (last 2 s), closes by reason over the last minute.</p>
    <div class="table-wrap"><table class="proxies" id="proxies">
      <thead><tr><th>name</th><th>listen</th><th>upstream</th><th>enabled</th><th>open</th><th>accepted/s</th>
        <th>bytes/s up</th><th>bytes/s down</th><th>closes (1 min)</th><th>actions</th></tr></thead>
      <tbody></tbody></table></div>
    <p class="form-error" id="list-error" role="alert" hidden></p>
    <h3>New proxy</h3>
    <form id="create" class="card" aria-label="New proxy">${proxyForm(null)}
      <button type="submit">Create proxy</button></form>`;
  const tbody = view.querySelector('#proxies tbody');
  const listError = view.querySelector('#list-error');
  let proxies = {};

  async function refresh() {
    try {
      const [list, metrics] = await Promise.all([get('/proxies'), fetch('/metrics').then((r) => r.text())]);
      history.push({ t: Date.now(), metrics: parseMetrics(metrics) });
      while (history.length > 2 && history[history.length - 1].t - history[0].t > 60_000) history.shift();
      proxies = list;
      render();
    } catch (e) {
      listError.textContent = e.message;
      listError.hidden = false;
    }
  }

  function render() {
    const names = Object.keys(proxies).sort();
    const focused = document.activeElement?.dataset?.key;
    tbody.innerHTML = names.map((name) => {
      const p = proxies[name];
      const f = figures(name);
      const closes = Object.entries(f.closes).map(([r, n]) => `${esc(r)} ${n}`).join(', ');
      return `<tr data-proxy="${esc(name)}">
        <td><a href="#/proxies/${enc(name)}" data-key="open-${esc(name)}">${esc(name)}</a></td>
        <td>${esc(p.listen)}</td><td>${esc(p.upstream)}</td>
        <td>${p.enabled ? 'yes' : '<span class="warn">no</span>'}</td>
        <td class="num">${f.open}</td><td class="num">${f.acceptedPerS.toFixed(1)}</td>
        <td class="num">${bytes(f.upPerS)}</td><td class="num">${bytes(f.downPerS)}</td>
        <td>${closes}</td>
        <td class="actions">
          <a class="button" href="#/proxies/${enc(name)}">toxics &amp; edit</a>
          <button type="button" data-key="toggle-${esc(name)}" data-toggle="${esc(name)}">${p.enabled ? 'disable' : 'enable'}</button>
          <button type="button" data-key="delete-${esc(name)}" data-delete="${esc(name)}" class="danger">delete</button>
        </td></tr>`;
    }).join('') || '<tr><td colspan="10" class="muted">No proxy yet: create one below.</td></tr>';
    if (focused) tbody.querySelector(`[data-key="${CSS.escape(focused)}"]`)?.focus();
  }

  tbody.addEventListener('click', async (ev) => {
    const b = ev.target.closest('button');
    if (!b) return;
    listError.hidden = true;
    try {
      if (b.dataset.toggle) {
        const name = b.dataset.toggle;
        await api('POST', `/proxies/${enc(name)}`, { enabled: !proxies[name].enabled });
      } else if (b.dataset.delete) {
        // Two steps instead of confirm(): a dialog would block the page and keyboard users alike.
        if (b.dataset.armed !== 'yes') {
          b.dataset.armed = 'yes';
          b.textContent = 'confirm delete';
          return;
        }
        await api('DELETE', `/proxies/${enc(b.dataset.delete)}`);
      }
    } catch (e) {
      listError.textContent = e.message;
      listError.hidden = false;
    }
    refresh();
  });

  const form = view.querySelector('#create');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      await api('POST', '/proxies', proxyBody(form));
      form.reset();
      form.elements.namedItem('upstream').value = '';
      refresh();
    } catch (e) {
      showFieldError(form, e);
    }
  });

  refresh();
  const timer = setInterval(refresh, 2000);
  return () => clearInterval(timer);
}
