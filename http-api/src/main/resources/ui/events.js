// Events as a live tail: the newest first, Warnings marked; at most the 200 newest are shown.

import { h, reconcile, text, age } from './dom.js';

const LIMIT = 200;
const when = (e) => e.lastTimestamp || e.eventTime || (e.series && e.series.lastObservedTime) || e.firstTimestamp
  || e.metadata.creationTimestamp || '';

export function eventsView(ctx) {
  const warningsOnly = h('input', { type: 'checkbox', id: 'warnings-only' });
  const summary = h('p', { class: 'summary' });
  const list = h('ol', { class: 'events', 'aria-live': 'off' });
  const el = h('div', null, h('h2', null, 'Events'),
    h('div', { class: 'row' }, h('label', { for: 'warnings-only' }, warningsOnly, ' Warnings only'), summary), list);
  warningsOnly.addEventListener('change', () => render());

  function render() {
    const all = [...ctx.store.all('Event').values()].filter(ctx.inNamespace)
      .filter((e) => !warningsOnly.checked || e.type === 'Warning');
    all.sort((a, b) => when(b).localeCompare(when(a)) || b.metadata.resourceVersion - a.metadata.resourceVersion);
    const shown = all.slice(0, LIMIT);
    const now = Date.now();
    reconcile(list, shown, (e) => e.metadata.namespace + '/' + e.metadata.name,
      (e) => e.metadata.resourceVersion, () => {
        const li = h('li', { class: 'event' });
        li.parts_ = { age: h('span', { class: 'age' }), type: h('span', { class: 'badge' }), reason: h('strong'),
          object: h('span', { class: 'muted' }), message: h('span', { class: 'message' }), count: h('span', { class: 'muted' }) };
        const p = li.parts_;
        li.append(p.age, ' ', p.type, ' ', p.reason, ' ', p.object, ' ', p.message, ' ', p.count);
        return li;
      }, (li, e) => {
        const p = li.parts_;
        const o = e.involvedObject || e.regarding || {};
        li.dataset.state = e.type === 'Warning' ? 'warning' : 'normal';
        text(p.age, age(when(e), now));
        text(p.type, e.type || 'Normal');
        text(p.reason, e.reason || '');
        text(p.object, (o.kind || '') + '/' + (o.name || ''));
        text(p.message, e.message || e.note || '');
        text(p.count, e.count > 1 ? '×' + e.count : '');
      });
    text(summary, all.length > LIMIT ? 'the newest ' + LIMIT + ' of ' + all.length : all.length + ' events');
  }

  return { el, kinds: ['Event'], render };
}
