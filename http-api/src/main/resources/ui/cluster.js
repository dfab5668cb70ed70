// The cluster: the Pekko members this server sees (with the majority), and the nodes with
// their capacity, what the pods on them request, and Ready; cordon and uncordon.

import { h, reconcile, replace, text, age } from './dom.js';
import { clusterMembers, setUnschedulable } from './api.js';
import { parseQuantity, formatCpu, formatBytes } from './quantity.js';

export function condition(object, type) {
  return ((object.status && object.status.conditions) || []).find((c) => c.type === type);
}

/** CPU and memory the pods bound to each node request (terminated pods hold nothing). */
export function requestsByNode(pods) {
  const byNode = new Map();
  for (const pod of pods) {
    const node = pod.spec && pod.spec.nodeName;
    const phase = pod.status && pod.status.phase;
    if (!node || phase === 'Succeeded' || phase === 'Failed') continue;
    let r = byNode.get(node);
    if (!r) byNode.set(node, (r = { cpu: 0, memory: 0, pods: 0 }));
    r.pods++;
    for (const c of pod.spec.containers || []) {
      const req = (c.resources && c.resources.requests) || {};
      r.cpu += parseQuantity(req.cpu);
      r.memory += parseQuantity(req.memory);
    }
  }
  return byNode;
}

export function clusterView(ctx) {
  const members = h('ul', { class: 'members' });
  const majority = h('p', { class: 'majority' });
  const summary = h('p', { class: 'summary' });
  const rows = h('tbody');
  const el = h('div', null,
    h('h2', null, 'Members'), majority, members,
    h('h2', null, 'Nodes'), summary,
    h('div', { class: 'table-wrap' }, h('table', { class: 'nodes' },
      h('thead', null, h('tr', null,
        ['Node', 'Ready', 'CPU requested / allocatable', 'Memory requested / allocatable', 'Pods', 'Age', '']
          .map((t) => h('th', { scope: 'col' }, t)))),
      rows)));

  async function refreshMembers() {
    try {
      const view = await clusterMembers();
      text(majority, view.inMajority ? 'This server is in the majority.' : 'This server is NOT in the majority: writes are refused.');
      majority.dataset.state = view.inMajority ? 'ok' : 'bad';
      replace(members, (view.members || []).map((m) => h('li', { dataset: { state: m.reachable ? 'ok' : 'bad' } },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        m.address.replace(/#.*$/, ''), ' ', h('span', { class: 'muted' },
          m.status + (m.reachable ? '' : ', unreachable') + (m.roles.length ? ' · ' + m.roles.join(', ') : '')),
        m.address === view.self ? h('strong', null, ' (this server)') : null)));
    } catch (e) {
      text(majority, 'Members unknown: ' + e.message);
    }
  }

  function createRow() {
    const row = h('tr');
    row.cells_ = {
      name: h('th', { scope: 'row' }),
      ready: h('td'),
      cpu: h('td'),
      memory: h('td'),
      pods: h('td'),
      age: h('td'),
      action: h('button', { type: 'button' }),
    };
    const c = row.cells_;
    row.append(c.name, c.ready, c.cpu, c.memory, c.pods, c.age, h('td', null, c.action));
    c.action.addEventListener('click', () => {
      const node = row.node_;
      const cordon = !(node.spec && node.spec.unschedulable);
      ctx.act((cordon ? 'cordon ' : 'uncordon ') + node.metadata.name,
        () => setUnschedulable(node.metadata.name, cordon));
    });
    return row;
  }

  function render() {
    const pods = [...ctx.store.all('Pod').values()];
    const requested = requestsByNode(pods);
    const nodes = [...ctx.store.all('Node').values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    let ready = 0;
    const now = Date.now();
    reconcile(rows, nodes, (n) => n.metadata.name,
      (n) => n.metadata.resourceVersion + '/' + JSON.stringify(requested.get(n.metadata.name) || null),
      createRow, (row, node) => {
        row.node_ = node;
        const c = row.cells_;
        const r = requested.get(node.metadata.name) || { cpu: 0, memory: 0, pods: 0 };
        const alloc = (node.status && node.status.allocatable) || (node.status && node.status.capacity) || {};
        const isReady = (condition(node, 'Ready') || {}).status === 'True';
        const cordoned = !!(node.spec && node.spec.unschedulable);
        row.dataset.node = node.metadata.name;
        row.dataset.state = isReady ? (cordoned ? 'cordoned' : 'ready') : 'unready';
        text(c.name, node.metadata.name);
        text(c.ready, (isReady ? 'Ready' : 'NotReady') + (cordoned ? ', SchedulingDisabled' : ''));
        text(c.cpu, formatCpu(r.cpu) + ' / ' + (alloc.cpu || '?'));
        text(c.memory, formatBytes(r.memory) + ' / ' + (alloc.memory ? formatBytes(parseQuantity(alloc.memory)) : '?'));
        text(c.pods, r.pods + ' / ' + (alloc.pods || '?'));
        text(c.age, age(node.metadata.creationTimestamp, now));
        text(c.action, cordoned ? 'Uncordon' : 'Cordon');
        c.action.setAttribute('aria-label', (cordoned ? 'Uncordon ' : 'Cordon ') + node.metadata.name);
      });
    for (const n of nodes) if ((condition(n, 'Ready') || {}).status === 'True') ready++;
    text(summary, nodes.length + ' nodes, ' + ready + ' Ready, ' + pods.length + ' pods');
  }

  return { el, kinds: ['Node', 'Pod'], render, refreshMembers };
}
