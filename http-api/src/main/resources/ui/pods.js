// Pods by node: one card per node, one chip per pod, coloured by state at a glance (ready,
// running but not ready, pending, failed, terminating, done). A chip is a button: it selects
// the pod, whose details and actions (logs, delete) show above the cards.

import { h, reconcile, replace, text, age } from './dom.js';
import { deletePod } from './api.js';
import { condition } from './cluster.js';

const BAD_WAITING = new Set(['CrashLoopBackOff', 'ErrImagePull', 'ImagePullBackOff', 'CreateContainerConfigError',
  'CreateContainerError', 'InvalidImageName', 'RunContainerError']);

/** What kubectl's STATUS column would say, and the colour class for it. */
export function podState(pod) {
  const status = pod.status || {};
  const restarts = (status.containerStatuses || []).reduce((n, c) => n + (c.restartCount || 0), 0);
  const ready = (condition(pod, 'Ready') || {}).status === 'True';
  let reason = status.reason || status.phase || 'Pending';
  let state;
  const waiting = (status.containerStatuses || []).map((c) => c.state && c.state.waiting).find((w) => w && w.reason);
  if (pod.metadata.deletionTimestamp) {
    state = 'terminating';
    reason = 'Terminating';
  } else if (status.phase === 'Succeeded') {
    state = 'succeeded';
  } else if (status.phase === 'Failed') {
    state = 'failed';
  } else if (waiting && BAD_WAITING.has(waiting.reason)) {
    state = 'failed';
    reason = waiting.reason;
  } else if (status.phase === 'Running') {
    state = ready ? 'ready' : 'unready';
  } else {
    state = 'pending';
    if (waiting) reason = waiting.reason;
  }
  const containers = (pod.spec.containers || []).length;
  const readyContainers = (status.containerStatuses || []).filter((c) => c.ready).length;
  return { state, reason, restarts, ready, readyText: readyContainers + '/' + containers };
}

export function podsView(ctx) {
  const summary = h('p', { class: 'summary' });
  const detail = h('div', { class: 'pod-detail', 'aria-live': 'polite' });
  const groups = h('div', { class: 'node-groups' });
  const legend = h('ul', { class: 'legend', 'aria-label': 'Colours' },
    ['ready', 'unready', 'pending', 'failed', 'terminating', 'succeeded'].map((s) =>
      h('li', { dataset: { state: s } }, h('span', { class: 'dot', 'aria-hidden': 'true' }), s)));
  const el = h('div', null, h('h2', null, 'Pods by node'), summary, legend, detail, groups);
  let selected = null; // "namespace/name"

  function createGroup() {
    const title = h('h3');
    const count = h('span', { class: 'muted' });
    const chips = h('div', { class: 'chips' });
    const card = h('section', { class: 'node-card' }, h('header', null, title, ' ', count), chips);
    card.parts_ = { title, count, chips };
    return card;
  }

  function createChip() {
    const chip = h('button', { type: 'button', class: 'chip' });
    chip.parts_ = { name: h('span', { class: 'chip-name' }), info: h('span', { class: 'chip-info' }) };
    chip.append(h('span', { class: 'dot', 'aria-hidden': 'true' }), chip.parts_.name, chip.parts_.info);
    chip.addEventListener('click', () => {
      selected = chip.dataset.pod;
      renderDetail();
    });
    return chip;
  }

  function updateChip(chip, pod) {
    const s = podState(pod);
    chip.dataset.pod = pod.metadata.namespace + '/' + pod.metadata.name;
    chip.dataset.state = s.state;
    text(chip.parts_.name, pod.metadata.name);
    text(chip.parts_.info, s.reason + (s.state === 'unready' ? ' ' + s.readyText : '') + (s.restarts ? ' · ' + s.restarts + '↻' : ''));
    chip.setAttribute('aria-label', pod.metadata.name + ': ' + s.reason + ', ' + s.readyText + ' ready, '
      + s.restarts + ' restarts');
    chip.title = pod.metadata.namespace + '/' + pod.metadata.name;
  }

  let shown = null; // what the detail shows: rebuilt only when it changed, so focus stays put
  function renderDetail() {
    const pod = selected && ctx.store.get('Pod', selected);
    const now = pod ? selected + '@' + pod.metadata.resourceVersion : null;
    if (now === shown) return;
    shown = now;
    if (!pod) {
      replace(detail);
      return;
    }
    const s = podState(pod);
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name;
    replace(detail, h('div', { class: 'card', dataset: { state: s.state } },
      h('h3', null, ns + '/' + name),
      h('dl', null,
        h('dt', null, 'Status'), h('dd', null, s.reason),
        h('dt', null, 'Ready'), h('dd', null, s.readyText),
        h('dt', null, 'Restarts'), h('dd', null, String(s.restarts)),
        h('dt', null, 'Node'), h('dd', null, pod.spec.nodeName || '(not scheduled)'),
        h('dt', null, 'IP'), h('dd', null, (pod.status && pod.status.podIP) || ''),
        h('dt', null, 'Age'), h('dd', null, age(pod.metadata.creationTimestamp))),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'logs', onclick: () => ctx.showLogs(pod) }, 'Logs'),
        h('button', { type: 'button', class: 'danger', onclick: () => {
          if (confirm('Delete pod ' + ns + '/' + name + '?')) ctx.act('delete pod ' + name, () => deletePod(ns, name));
        } }, 'Delete'),
        h('button', { type: 'button', class: 'link', onclick: () => { selected = null; renderDetail(); } }, 'Close'))));
  }

  // which node each shown pod is on, and the pods of each node: kept from the changed keys,
  // so an update re-renders only the cards of the nodes it touched (10,000 pods, 1,000 nodes)
  let podNode = new Map();
  let byNode = new Map();
  const groupVersion = new Map();
  let bumps = 0;
  const bump = (node) => groupVersion.set(node, ++bumps);

  function place(key, pod) {
    const before = podNode.get(key);
    const after = pod && ctx.inNamespace(pod) ? (pod.spec && pod.spec.nodeName) || '' : undefined;
    if (before !== undefined) {
      byNode.get(before).delete(key);
      bump(before);
    }
    if (after !== undefined) {
      if (!byNode.has(after)) byNode.set(after, new Set());
      byNode.get(after).add(key);
      podNode.set(key, after);
      bump(after);
    } else {
      podNode.delete(key);
    }
  }

  function render(keys) {
    if (!keys) {
      podNode = new Map();
      byNode = new Map();
      for (const [key, pod] of ctx.store.all('Pod')) place(key, pod);
      for (const node of ctx.store.all('Node').keys()) bump(node);
    } else {
      for (const key of keys.get('Pod') || []) place(key, ctx.store.get('Pod', key));
      for (const node of keys.get('Node') || []) bump(node);
    }
    const names = [...ctx.store.all('Node').keys()];
    for (const [node, set] of byNode) if (set.size && !ctx.store.get('Node', node)) names.push(node);
    names.sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)));
    reconcile(groups, names, (n) => n, (n) => groupVersion.get(n), createGroup, (card, node) => {
      const pods = [...(byNode.get(node) || [])].map((k) => ctx.store.get('Pod', k))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const nodeObject = ctx.store.get('Node', node);
      card.dataset.node = node;
      card.dataset.state = node === '' ? 'pending'
        : nodeObject && (condition(nodeObject, 'Ready') || {}).status === 'True' ? 'ready' : 'unready';
      text(card.parts_.title, node || 'Not scheduled');
      text(card.parts_.count, pods.length + (pods.length === 1 ? ' pod' : ' pods'));
      reconcile(card.parts_.chips, pods, (p) => p.metadata.namespace + '/' + p.metadata.name,
        (p) => p.metadata.resourceVersion, createChip, updateChip);
    });
    text(summary, podNode.size + ' pods on ' + ctx.store.all('Node').size + ' nodes');
    renderDetail();
  }

  return { el, kinds: ['Pod', 'Node'], render };
}
