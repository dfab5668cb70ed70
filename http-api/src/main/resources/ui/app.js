// The dashboard's entry: the store, the change stream, the tabs and the views. Only the
// visible view renders; the others catch up when they are shown.

import { Store } from './store.js';
import { ChangeStream } from './stream.js';
import { onUnauthorized, setToken } from './api.js';
import { h, replace, text } from './dom.js';
import { clusterView } from './cluster.js';
import { podsView } from './pods.js';
import { deploymentsView } from './deployments.js';
import { servicesView } from './services.js';
import { eventsView } from './events.js';
import { logsView } from './logs.js';

const store = new Store();
const $ = (id) => document.getElementById(id);

let noticeTimer = null;
/** Shows the outcome of an action; an error stays until the next action. */
function notify(message, isError = false) {
  const el = $('notice');
  el.hidden = false;
  el.dataset.kind = isError ? 'error' : 'ok';
  replace(el, message, ' ', h('button', { class: 'link', type: 'button', 'aria-label': 'Dismiss', onclick: () => { el.hidden = true; } }, '×'));
  clearTimeout(noticeTimer);
  if (!isError) noticeTimer = setTimeout(() => { el.hidden = true; }, 5000);
}

/** Runs an action (a promise maker); its failure shows the API's Status message. */
async function act(label, fn) {
  try {
    await fn();
    notify(label + ': done');
    return true;
  } catch (e) {
    notify(label + ' failed: ' + e.message, true);
    return false;
  }
}

const ctx = {
  store,
  notify,
  act,
  namespace: () => $('namespace').value,
  inNamespace: (o) => !$('namespace').value || (o.metadata && o.metadata.namespace === $('namespace').value),
  showLogs: (pod) => {
    views.logs.open(pod);
    select('logs');
  },
};

const views = {
  cluster: clusterView(ctx),
  pods: podsView(ctx),
  deployments: deploymentsView(ctx),
  services: servicesView(ctx),
  events: eventsView(ctx),
  logs: logsView(ctx),
};
for (const [name, view] of Object.entries(views)) $('view-' + name).appendChild(view.el);

let current = 'cluster';
function select(name) {
  current = name;
  for (const tab of document.querySelectorAll('[role=tab]')) {
    const on = tab.id === 'tab-' + name;
    tab.setAttribute('aria-selected', String(on));
    tab.tabIndex = on ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !on;
  }
  views[name].render(null);
  if (location.hash !== '#' + name) history.replaceState(null, '', '#' + name);
}
const tabs = [...document.querySelectorAll('[role=tab]')];
tabs.forEach((tab, i) => {
  tab.addEventListener('click', () => select(tab.id.slice(4)));
  // arrow keys move between tabs, as the ARIA tabs pattern expects
  tab.addEventListener('keydown', (e) => {
    const step = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
    if (!step) return;
    const next = tabs[(i + step + tabs.length) % tabs.length];
    next.focus();
    select(next.id.slice(4));
  });
});

// namespaces for the filter come from the stream like everything else
function renderNamespaces() {
  const sel = $('namespace');
  const names = [...store.all('Namespace').values()].map((n) => n.metadata.name).sort();
  const have = [...sel.options].slice(1).map((o) => o.value);
  if (have.join('\n') === names.join('\n')) return;
  const value = sel.value;
  replace(sel, h('option', { value: '' }, 'all'), names.map((n) => h('option', { value: n }, n)));
  sel.value = names.includes(value) ? value : '';
}
$('namespace').addEventListener('change', () => views[current].render(null));

store.subscribe((changed, keys) => {
  if (changed.has('Namespace')) renderNamespaces();
  const view = views[current];
  if (view.kinds.some((k) => changed.has(k))) view.render(keys);
});

function connectionState(state, detail) {
  const el = $('connection');
  el.dataset.state = state;
  const words = {
    connecting: 'connecting…',
    syncing: 'loading…',
    live: 'live',
    reconnecting: 'reconnecting (resumes after ' + (detail.lastEventId || 'the start') + ')…',
    retrying: 'disconnected, retrying in ' + Math.round((detail.inMs || 0) / 1000) + ' s',
  };
  text(el, words[state] || state);
  if (detail.resumedFrom) el.dataset.resumedFrom = detail.resumedFrom;
  if (state === 'live') views.cluster.refreshMembers();
}

onUnauthorized(() => {
  const dialog = $('login');
  if (!dialog.open) dialog.showModal();
});
$('login').addEventListener('close', () => {
  if ($('login').returnValue === 'ok') {
    setToken($('login-token').value);
    notify('token set; retry the action');
  }
  $('login-token').value = '';
});

// a link or the back button changes the hash: the view follows
window.addEventListener('hashchange', () => {
  const name = location.hash.slice(1);
  if (views[name] && name !== current) select(name);
});

const stream = new ChangeStream(store, connectionState);
window.steuermann = { store, stream }; // for the end-to-end tests and the benchmark
stream.start();
select(location.hash && views[location.hash.slice(1)] ? location.hash.slice(1) : 'cluster');
