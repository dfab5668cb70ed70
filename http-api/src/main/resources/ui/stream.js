// The live feed: one EventSource on /changes (every kind in one connection, so the browser's
// six connections per server stay free for actions and logs). It starts with
// sendInitialEvents=true: every object as ADDED (without ids), then a BOOKMARK whose id is
// the list's version. From then on every event's id is its resourceVersion, and when the
// connection drops (the server restarts, a load balancer switches members, the stream's
// timeout ends it) the browser reconnects by itself and sends Last-Event-ID: the server
// resumes right after it, no gaps and no re-list. When the server refuses the resume (410:
// the version left its history) or answers an error, EventSource gives up; then this opens
// a new stream with back-off and a full list, and drops what that list no longer has.

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 30000;

export class ChangeStream {
  /** store: a Store; onState(state, detail): 'connecting' | 'syncing' | 'live' | 'retrying'. */
  constructor(store, onState, url = '/changes?sendInitialEvents=true') {
    this.store = store;
    this.onState = onState;
    this.url = url;
    this.failures = 0;
    this.source = null;
    this.seen = null; // during a (re-)list: the keys it brought, by kind
    this.lastEventId = '';
    this.timer = null;
    this.resumes = 0;
  }

  start() {
    this.open();
  }

  open() {
    this.onState('connecting', {});
    const source = new EventSource(this.url);
    this.source = source;
    this.seen = new Map();
    this.store.hold(); // the views render once the list is complete
    const handle = (type) => (e) => this.event(type, e);
    for (const type of ['ADDED', 'MODIFIED', 'DELETED']) source.addEventListener(type, handle(type));
    source.addEventListener('BOOKMARK', (e) => this.bookmark(e));
    source.addEventListener('open', () => {
      // an open after a drop is the browser's own reconnect with Last-Event-ID
      if (this.lastEventId) {
        this.resumes++;
        this.onState('live', { resumedFrom: this.lastEventId });
      } else {
        this.onState('syncing', {});
      }
    });
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED) {
        this.retry();
      } else {
        // CONNECTING: the browser retries by itself and will send Last-Event-ID
        this.onState('reconnecting', { lastEventId: this.lastEventId });
      }
    });
  }

  event(type, e) {
    let data;
    try {
      data = JSON.parse(e.data);
    } catch (err) {
      return;
    }
    if (!data || !data.object) return;
    if (e.lastEventId) this.lastEventId = e.lastEventId;
    if (this.seen && type === 'ADDED') {
      const kind = data.object.kind;
      if (!this.seen.has(kind)) this.seen.set(kind, new Set());
      this.seen.get(kind).add(this.store.constructor.key(data.object));
    }
    this.store.apply(type, data.object);
  }

  bookmark(e) {
    this.lastEventId = e.lastEventId;
    if (this.seen) {
      this.store.retainOnly(this.seen);
      this.seen = null;
      this.store.release();
    }
    this.failures = 0;
    this.onState('live', { syncedAt: e.lastEventId });
  }

  retry() {
    this.source.close();
    this.failures++;
    // full jitter: many pages that lost the same server do not come back all at once
    const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(this.failures, 10));
    const delay = Math.round(ceiling / 2 + Math.random() * ceiling / 2);
    this.lastEventId = '';
    this.onState('retrying', { inMs: delay, failures: this.failures });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
  }
}
