// The page's copy of the cluster: one Map per kind, kept by the change stream. Views ask to
// be told when kinds they show change; they are told at most once per animation frame, so a
// burst of 10,000 events costs one render, not 10,000.

export class Store {
  constructor() {
    this.kinds = new Map(); // kind -> Map(key -> object)
    this.version = new Map(); // kind -> counter, moved on every change of the kind
    this.listeners = [];
    this.dirty = new Set();
    this.scheduled = false;
    this.applied = 0; // events applied since the page opened (the benchmark reads it)
    this.held = false;
    this.changedKeys = new Map(); // kind -> Set of keys changed since the last flush
  }

  /**
   * While a list streams in, views are not told (one render when it is complete, not one per
   * frame of the burst); release() tells them everything changed.
   */
  hold() {
    this.held = true;
  }

  release() {
    this.held = false;
    this.changedKeys = new Map();
    for (const kind of this.kinds.keys()) this.dirty.add(kind);
    this.everything = true;
    this.schedule();
  }

  static key(object) {
    const m = object.metadata || {};
    return (m.namespace ? m.namespace + '/' : '') + m.name;
  }

  /** The objects of kind, a Map from "namespace/name" to the object. */
  all(kind) {
    let m = this.kinds.get(kind);
    if (!m) {
      m = new Map();
      this.kinds.set(kind, m);
    }
    return m;
  }

  get(kind, key) {
    return this.all(kind).get(key);
  }

  /** A watch event: ADDED and MODIFIED put the object, DELETED removes it. */
  apply(type, object) {
    const kind = object.kind;
    if (!kind) return;
    const m = this.all(kind);
    const key = Store.key(object);
    if (type === 'DELETED') m.delete(key);
    else m.set(key, object);
    this.applied++;
    if (!this.held) {
      let keys = this.changedKeys.get(kind);
      if (!keys) this.changedKeys.set(kind, (keys = new Set()));
      keys.add(key);
    }
    this.touch(kind);
  }

  /** After a re-list: drops every object that the list (seen, sets of keys by kind) did not have. */
  retainOnly(seen) {
    for (const [kind, m] of this.kinds) {
      const keep = seen.get(kind) || new Set();
      for (const key of [...m.keys()]) {
        if (!keep.has(key)) m.delete(key);
      }
    }
  }

  touch(kind) {
    this.version.set(kind, (this.version.get(kind) || 0) + 1);
    this.dirty.add(kind);
    if (!this.held) this.schedule();
  }

  schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      requestAnimationFrame(() => this.flush());
    }
  }

  /**
   * fn(changedKinds, changedKeys) after changes, at most once a frame; changedKeys (kind ->
   * Set of keys) is null when everything may have changed (after a list).
   */
  subscribe(fn) {
    this.listeners.push(fn);
  }

  flush() {
    this.scheduled = false;
    if (this.held) return;
    const changed = this.dirty;
    const keys = this.everything ? null : this.changedKeys;
    this.dirty = new Set();
    this.changedKeys = new Map();
    this.everything = false;
    for (const fn of this.listeners) fn(changed, keys);
  }
}
