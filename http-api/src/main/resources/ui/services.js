// Services with their Endpoints: the ready addresses (they receive traffic) and the not
// ready ones, each with the pod it belongs to.

import { h, reconcile, replace, text } from './dom.js';

function portText(p) {
  return (p.name ? p.name + ' ' : '') + p.port + (p.targetPort !== undefined && p.targetPort !== p.port ? '→' + p.targetPort : '')
    + (p.nodePort ? ' (node ' + p.nodePort + ')' : '') + '/' + (p.protocol || 'TCP');
}

function address(a, ready) {
  const pod = a.targetRef && a.targetRef.kind === 'Pod' ? a.targetRef.name : '';
  return h('li', { class: 'endpoint', dataset: { state: ready ? 'ready' : 'unready' } },
    h('span', { class: 'dot', 'aria-hidden': 'true' }), a.ip, pod ? h('span', { class: 'muted' }, ' ' + pod) : null,
    ready ? null : h('span', { class: 'badge' }, 'not ready'));
}

export function servicesView(ctx) {
  const list = h('div', { class: 'cards' });
  const empty = h('p', { class: 'muted' }, 'No Services.');
  const el = h('div', null, h('h2', null, 'Services'), empty, list);

  function render() {
    const services = [...ctx.store.all('Service').values()].filter(ctx.inNamespace)
      .sort((a, b) => (a.metadata.namespace + '/' + a.metadata.name).localeCompare(b.metadata.namespace + '/' + b.metadata.name));
    reconcile(list, services, (s) => s.metadata.namespace + '/' + s.metadata.name, (s) => {
      const ep = ctx.store.get('Endpoints', s.metadata.namespace + '/' + s.metadata.name);
      return s.metadata.resourceVersion + ':' + (ep ? ep.metadata.resourceVersion : '');
    }, () => h('section', { class: 'card service' }), (card, s) => {
      const key = s.metadata.namespace + '/' + s.metadata.name;
      const ep = ctx.store.get('Endpoints', key);
      const ready = [];
      const notReady = [];
      for (const subset of (ep && ep.subsets) || []) {
        for (const a of subset.addresses || []) ready.push(address(a, true));
        for (const a of subset.notReadyAddresses || []) notReady.push(address(a, false));
      }
      card.dataset.service = key;
      const spec = s.spec || {};
      replace(card, h('h3', null, key),
        h('p', null, (spec.type || 'ClusterIP') + ' ' + (spec.clusterIP || ''), ' · ',
          (spec.ports || []).map(portText).join(', ')),
        h('p', { class: 'muted' }, spec.selector
          ? 'selector ' + Object.entries(spec.selector).map(([k, v]) => k + '=' + v).join(',')
          : 'no selector (Endpoints written by hand)'),
        h('p', { class: 'endpoint-count' }, ready.length + ' ready, ' + notReady.length + ' not ready'),
        h('ul', { class: 'endpoints' }, ready, notReady));
    });
    empty.hidden = services.length > 0;
  }

  return { el, kinds: ['Service', 'Endpoints'], render };
}
