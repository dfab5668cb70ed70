// Deployments with their rollout: desired, updated, ready and available replicas, the
// surge and unavailability bounds of the strategy, each ReplicaSet of the Deployment (the
// newest revision is the new one, the others are old), and the daily actions: scale,
// restart, undo.

import { h, reconcile, replace, text } from './dom.js';
import { scaleDeployment, restartDeployment, undoDeployment } from './api.js';
import { condition } from './cluster.js';

export const revisionOf = (o) => parseInt(((o.metadata && o.metadata.annotations) || {})['deployment.kubernetes.io/revision'] || '0', 10);

/** An int-or-percent of replicas; percentages round up for surge and down for unavailable, as Kubernetes does. */
function bound(value, replicas, roundUp) {
  if (value === undefined || value === null) value = '25%';
  if (typeof value === 'number') return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) return parseInt(value, 10) || 0;
  const exact = (parseInt(m[1], 10) * replicas) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** The pods a RollingUpdate may have at most, and the available ones it keeps at least. */
export function rolloutBounds(d) {
  const replicas = d.spec.replicas === undefined ? 1 : d.spec.replicas;
  const strategy = d.spec.strategy || {};
  if (strategy.type === 'Recreate') return { replicas, text: 'Recreate: all old pods go before new ones start' };
  const ru = strategy.rollingUpdate || {};
  const surge = bound(ru.maxSurge, replicas, true);
  let unavailable = bound(ru.maxUnavailable, replicas, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return {
    replicas,
    text: 'RollingUpdate: at most ' + (replicas + surge) + ' pods (surge ' + surge + '), at least '
      + Math.max(0, replicas - unavailable) + ' available (unavailable ' + unavailable + ')',
  };
}

function ownedBy(rs, d) {
  return (rs.metadata.ownerReferences || []).some((r) => r.uid === d.metadata.uid);
}

export function deploymentsView(ctx) {
  const list = h('div', { class: 'cards' });
  const el = h('div', null, h('h2', null, 'Deployments'), list);

  function createCard() {
    const p = {
      title: h('h3'),
      progress: h('progress', { max: '1', value: '0' }),
      progressText: h('p', { class: 'progress-text' }),
      bounds: h('p', { class: 'muted bounds' }),
      condition: h('p', { class: 'condition' }),
      sets: h('tbody'),
      replicas: h('input', { type: 'number', min: '0', class: 'replicas', 'aria-label': 'Replicas' }),
      scale: h('button', { type: 'button', class: 'scale' }, 'Scale'),
      restart: h('button', { type: 'button', class: 'restart' }, 'Restart'),
      undo: h('button', { type: 'button', class: 'undo' }, 'Undo'),
    };
    const card = h('section', { class: 'card deployment' }, p.title, p.progress, p.progressText, p.bounds, p.condition,
      h('div', { class: 'table-wrap' }, h('table', { class: 'replicasets' },
        h('caption', { class: 'muted' }, 'ReplicaSets'),
        h('thead', null, h('tr', null, ['Revision', 'ReplicaSet', 'Ready / desired', 'Images', '']
          .map((t) => h('th', { scope: 'col' }, t)))), p.sets)),
      h('form', { class: 'row actions' }, h('label', null, 'Replicas ', p.replicas), p.scale, p.restart, p.undo));
    card.parts_ = p;
    const d = () => card.deployment_;
    const label = () => d().metadata.namespace + '/' + d().metadata.name;
    card.querySelector('form').addEventListener('submit', (e) => {
      e.preventDefault();
      scale();
    });
    const scale = () => {
      const n = parseInt(p.replicas.value, 10);
      ctx.act('scale ' + label() + ' to ' + p.replicas.value, () => (Number.isNaN(n)
        ? Promise.reject(new Error('replicas must be a number'))
        : scaleDeployment(d().metadata.namespace, d().metadata.name, n)));
    };
    p.scale.addEventListener('click', scale);
    p.restart.addEventListener('click', () => ctx.act('restart ' + label(),
      () => restartDeployment(d().metadata.namespace, d().metadata.name)));
    p.undo.addEventListener('click', () => ctx.act('undo ' + label(), () => {
      if (d().spec.paused) return Promise.reject(new Error('you cannot rollback a paused deployment; resume it first'));
      return undoDeployment(d(), card.sets_);
    }));
    return card;
  }

  function render() {
    const sets = [...ctx.store.all('ReplicaSet').values()];
    const deployments = [...ctx.store.all('Deployment').values()].filter(ctx.inNamespace)
      .sort((a, b) => (a.metadata.namespace + '/' + a.metadata.name).localeCompare(b.metadata.namespace + '/' + b.metadata.name));
    const ownSets = new Map(deployments.map((d) => [d.metadata.uid, sets.filter((rs) => ownedBy(rs, d))]));
    reconcile(list, deployments, (d) => d.metadata.namespace + '/' + d.metadata.name,
      (d) => d.metadata.resourceVersion + ':' + ownSets.get(d.metadata.uid).map((rs) => rs.metadata.resourceVersion).join(','),
      createCard, (card, d) => {
        const p = card.parts_;
        const own = ownSets.get(d.metadata.uid).sort((a, b) => revisionOf(b) - revisionOf(a));
        card.deployment_ = d;
        card.sets_ = own;
        const st = d.status || {};
        const b = rolloutBounds(d);
        const updated = st.updatedReplicas || 0;
        const available = st.availableReplicas || 0;
        const total = st.replicas || 0;
        const stale = (d.status && d.status.observedGeneration || 0) < (d.metadata.generation || 0);
        const done = !stale && updated === b.replicas && total === b.replicas && available === b.replicas;
        card.dataset.deployment = d.metadata.namespace + '/' + d.metadata.name;
        card.dataset.state = done ? 'complete' : 'progressing';
        text(p.title, d.metadata.namespace + '/' + d.metadata.name);
        p.progress.max = Math.max(1, b.replicas);
        p.progress.value = Math.min(updated, available);
        text(p.progressText, (done ? 'Complete: ' : 'Rolling out: ') + updated + ' of ' + b.replicas + ' updated, '
          + (st.readyReplicas || 0) + ' ready, ' + available + ' available, ' + total + ' total'
          + (total > b.replicas ? ' (' + (total - b.replicas) + ' old pods still running)' : ''));
        text(p.bounds, b.text);
        const progressing = condition(d, 'Progressing');
        text(p.condition, progressing ? progressing.reason + ': ' + progressing.message : '');
        // the field follows the API except while the user is in it
        if (document.activeElement !== p.replicas) p.replicas.value = String(b.replicas);
        const newest = own.length ? revisionOf(own[0]) : 0;
        reconcile(p.sets, own, (rs) => rs.metadata.name, (rs) => rs.metadata.resourceVersion,
          () => h('tr'), (row, rs) => {
            const desired = rs.spec.replicas || 0;
            const ready = (rs.status && rs.status.readyReplicas) || 0;
            const isNew = revisionOf(rs) === newest;
            row.dataset.replicaset = rs.metadata.name;
            row.dataset.role = isNew ? 'new' : 'old';
            replace(row, h('td', null, String(revisionOf(rs))), h('th', { scope: 'row' }, rs.metadata.name),
              h('td', { class: 'rs-count' }, ready + ' / ' + desired),
              h('td', null, (rs.spec.template.spec.containers || []).map((c) => c.image).join(', ')),
              h('td', null, h('span', { class: 'badge' }, isNew ? 'new' : 'old')));
          });
      });
  }

  return { el, kinds: ['Deployment', 'ReplicaSet'], render };
}
