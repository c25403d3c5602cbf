// A connection's life as a sequence diagram: three lanes (client, proxy, server), time running down in ms.
// Input, normalised by the caller: items {t_ms, kind: 'event'|'segment'|'note', ...}.
import { esc } from './api.js';

const X = { client: 150, proxy: 400, server: 650 };
const WIDTH = 800;

function arrow(x1, x2, y, cls, label, lane, extra = '') {
  const dir = x2 > x1 ? 1 : -1;
  const head = `${x2},${y} ${x2 - 8 * dir},${y - 4} ${x2 - 8 * dir},${y + 4}`;
  return `<g class="${cls}" data-lane="${lane}" ${extra}><line x1="${x1}" y1="${y}" x2="${x2}" y2="${y}"/>
    <polygon points="${head}"/><text x="${(x1 + x2) / 2}" y="${y - 5}" text-anchor="middle">${esc(label)}</text></g>`;
}

function lostArrow(x1, x2, y, cls, label, lane) {
  const mid = (x1 + x2) / 2;
  return `<g class="${cls} lost" data-lane="${lane}"><line x1="${x1}" y1="${y}" x2="${mid}" y2="${y}"/>
    <path d="M${mid - 5},${y - 5} L${mid + 5},${y + 5} M${mid - 5},${y + 5} L${mid + 5},${y - 5}" class="x"/>
    <text x="${mid}" y="${y - 5}" text-anchor="middle">${esc(label)} (lost)</text></g>`;
}

function box(x, y, cls, label, lane, extra = '') {
  const w = Math.min(230, 12 + label.length * 6.4);
  return `<g class="${cls}" data-lane="${lane}" ${extra}><rect x="${x - w / 2}" y="${y - 11}" width="${w}" height="18" rx="4"/>
    <text x="${x}" y="${y + 2}" text-anchor="middle">${esc(label)}</text></g>`;
}

function eventShape(e, y) {
  const legX = X[e.leg] ?? X.proxy;
  const type = e.type;
  const data = `data-type="${esc(type)}"`;
  switch (type) {
    case 'accepted': return arrow(X.client, X.proxy, y, 'ev ev-accepted', 'connect: accepted', 'client', data);
    case 'dial_started': return arrow(X.proxy, X.server, y, 'ev ev-dial', 'dial ' + (e.address ?? ''), 'server', data);
    case 'upstream_connected': return arrow(X.server, X.proxy, y, 'ev ev-connected',
      'connected' + (e.duration_us ? ` (${(e.duration_us / 1000).toFixed(2)} ms)` : ''), 'server', data);
    case 'upstream_failed': return lostArrow(X.proxy, X.server, y, 'ev ev-failed', 'dial ' + (e.outcome ?? e.detail), 'server');
    case 'first_byte': return arrow(legX, X.proxy, y, 'ev ev-bytes', 'first bytes', e.leg, data);
    case 'fin': return arrow(legX, X.proxy, y, 'ev ev-fin', 'FIN', e.leg, data);
    case 'rst': return arrow(legX, X.proxy, y, 'ev ev-rst', 'RST', e.leg, data);
    case 'toxic_applied': return box(X.proxy, y, 'ev ev-toxic', 'toxic ' + (e.toxic ?? e.detail), 'proxy', data);
    case 'toxic_action': {
      // What a toxic did, drawn toward the leg that feels it: on that lane.
      const lane = e.leg ?? 'proxy';
      const action = e.action ?? (e.detail ?? '').replace(/^[^:]*:\s*/, '');
      const x = X[lane] ?? X.proxy;
      return `<g class="ev toxic-action" data-lane="${lane}" ${data} data-action="${esc(action)}">
        <line x1="${X.proxy}" y1="${y}" x2="${x}" y2="${y}" class="dashed"/>
        ${box(x, y, 'mark', action, lane)}</g>`;
    }
    case 'tls_client_hello': return arrow(X.client, X.proxy, y, 'ev ev-tls',
      'ClientHello' + (e.sni ? ' ' + e.sni : '') + (e.versions ? ' ' + e.versions.join(',') : ''), 'client', data);
    case 'tls_server_hello': return arrow(X.server, X.proxy, y, 'ev ev-tls', 'ServerHello ' + (e.version ?? ''), 'server', data);
    case 'tls_alert': return arrow(legX, X.proxy, y, 'ev ev-tls', 'alert ' + (e.alert ?? e.detail ?? ''), e.leg, data);
    case 'tls_handshake_done': return box(X.proxy, y, 'ev ev-tls', 'TLS done ' + (e.version ?? '')
      + (e.duration_us ? ` (${(e.duration_us / 1000).toFixed(1)} ms)` : ''), 'proxy', data);
    case 'tls_stepped_aside': return box(X.proxy, y, 'ev', 'not TLS: reader stepped aside', 'proxy', data);
    case 'closed': return box(X.proxy, y, 'ev ev-closed', 'closed: ' + (e.reason ?? e.detail), 'proxy', data);
    default: return box(X.proxy, y, 'ev', type + (e.detail ? ': ' + e.detail : ''), 'proxy', data);
  }
}

function segmentShape(s, y) {
  const [from, to] = (s.direction ?? '').split('>');
  const x1 = X[from] ?? X.proxy;
  const x2 = X[to] ?? X.proxy;
  const label = `${s.flags} seq ${s.seq} ack ${s.ack} win ${s.window}${s.length ? ' len ' + s.length : ''}`;
  const lane = from === 'proxy' ? to : from;
  if (s.verdict === 'drop') return lostArrow(x1, x2, y, 'seg seg-drop', label, lane);
  const cls = 'seg seg-' + esc(s.verdict ?? 'accept');
  return arrow(x1, x2, y, cls, label + (s.verdict === 'delay' ? ' (late)' : ''), lane,
    `data-flags="${esc(s.flags)}"`);
}

/** SVG markup. Rows keep their order in time; gaps grow with the log of the time between them, labelled in ms. */
export function sequenceDiagram(items) {
  const sorted = [...items].sort((a, b) => a.t_ms - b.t_ms);
  let y = 50;
  let last = null;
  const rows = [];
  for (const item of sorted) {
    if (last !== null) y += 26 + Math.min(90, 24 * Math.log10(1 + Math.max(0, item.t_ms - last)));
    last = item.t_ms;
    let shape;
    if (item.kind === 'segment') shape = segmentShape(item, y);
    else if (item.kind === 'note') {
      const x = item.side === 'client' ? 60 : WIDTH - 60;
      shape = `<text class="note" x="${x}" y="${y + 4}" text-anchor="middle">${esc(item.text.slice(0, 34))}<title>${esc(item.text)}</title></text>`;
    } else shape = eventShape(item, y);
    rows.push(`<g class="row"><text class="t" x="4" y="${y + 4}">${item.t_ms.toFixed(item.t_ms < 10 ? 2 : 1)} ms</text>${shape}</g>`);
  }
  const height = y + 40;
  const lanes = Object.entries(X).map(([name, x]) =>
    `<g class="lane" data-lane="${name}"><text x="${x}" y="20" text-anchor="middle">${name}</text>
      <line x1="${x}" y1="28" x2="${x}" y2="${height - 10}"/></g>`).join('');
  return `<svg class="sequence" viewBox="0 0 ${WIDTH} ${height}" role="img"
    aria-label="Sequence diagram: client, proxy and server lanes, time in ms downwards">
    ${lanes}${rows.join('')}</svg>`;
}
