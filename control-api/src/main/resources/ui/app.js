// The console's shell: a page per hash route, the live feed started once for every page.
import { feed } from './live.js';
import * as proxies from './proxies.js';
import * as toxics from './toxics.js';
import * as live from './live.js';
import * as connection from './connection.js';
import * as scenarios from './scenarios.js';

const routes = [
  [/^#\/proxies\/([^/]+)$/, toxics, 'proxies'],
  [/^#\/connections\/([^/]+)\/(\d+)$/, connection, 'connections'],
  [/^#\/connections$/, live, 'connections'],
  [/^#\/scenarios$/, scenarios, 'scenarios'],
  [/^#\/proxies$/, proxies, 'proxies'],
];

let unmount = null;

function show() {
  const hash = location.hash || '#/proxies';
  const view = document.getElementById('view');
  if (unmount) unmount();
  unmount = null;
  view.replaceChildren();
  let found = routes.find(([re]) => re.test(hash));
  if (!found) {
    location.hash = '#/proxies';
    return;
  }
  const [re, page, nav] = found;
  const params = hash.match(re).slice(1).map(decodeURIComponent);
  for (const a of document.querySelectorAll('nav a')) {
    if (a.dataset.page === nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  unmount = page.mount(view, ...params) || null;
}

feed.onStatus((text, bad) => {
  const status = document.getElementById('feed-status');
  status.textContent = text;
  status.classList.toggle('bad', bad);
});
feed.start();
window.addEventListener('hashchange', show);
show();
