// DOM building with text nodes only (no HTML parsing): every string from the cluster becomes a text node, so a
// name like "<img onerror=...>" is shown as the characters it is and never parsed as HTML.

/**
 * h('div', {class: 'x', onclick: fn, dataset: {state: 'ready'}}, 'text', child, [more])
 * Attributes are set with setAttribute / properties; children that are strings or numbers
 * become text nodes; null, undefined and false children are skipped.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.appendChild(c);
    else el.appendChild(document.createTextNode(String(c)));
  }
}

/** Replaces the children of el. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Keeps container's children in the order of items, one element per key: an element is made
 * once (create(item)), changed in place (update(el, item)) only when version(item) moved, and
 * removed when its key goes. With 10,000 pods an update then touches only what changed.
 */
export function reconcile(container, items, key, version, create, update) {
  const old = container._keyed || new Map();
  const next = new Map();
  let cursor = container.firstChild;
  for (const item of items) {
    const k = key(item);
    let entry = old.get(k);
    const v = version(item);
    if (!entry) {
      const el = create(item);
      update(el, item);
      entry = { el, v };
    } else if (entry.v !== v) {
      update(entry.el, item);
      entry.v = v;
    }
    next.set(k, entry);
    if (entry.el !== cursor) container.insertBefore(entry.el, cursor);
    else cursor = cursor.nextSibling;
  }
  for (const [k, entry] of old) {
    if (!next.has(k)) entry.el.remove();
  }
  container._keyed = next;
}

/** Sets el's text only when it changed (no layout work otherwise). */
export function text(el, value) {
  const s = value === null || value === undefined ? '' : String(value);
  if (el.textContent !== s) el.textContent = s;
}

/** A short human age, as kubectl prints it: 5s, 3m, 2h, 4d. */
export function age(timestamp, now = Date.now()) {
  if (!timestamp) return '';
  const s = Math.max(0, Math.floor((now - Date.parse(timestamp)) / 1000));
  if (s < 120) return s + 's';
  if (s < 7200) return Math.floor(s / 60) + 'm';
  if (s < 172800) return Math.floor(s / 3600) + 'h';
  return Math.floor(s / 86400) + 'd';
}
