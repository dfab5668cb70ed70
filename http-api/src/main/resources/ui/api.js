// Every request of the page goes through apiFetch: the one place that will add the user's
// credentials when the API has authentication (issue 13), and that turns a Kubernetes Status
// into an error whose message is the API's own words.

const TOKEN_KEY = 'steuermann.token';

/** A refused request: the Status's message, code and reason. */
export class ApiError extends Error {
  constructor(message, code, reason) {
    super(message);
    this.code = code;
    this.reason = reason;
  }
}

/** The bearer token the user gave (kept for the browser tab only), or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

const unauthorizedListeners = [];
/** fn() runs when the API answers 401: the page then asks for a token instead of breaking. */
export function onUnauthorized(fn) {
  unauthorizedListeners.push(fn);
}

/** fetch with the page's credentials; resolves to the Response when it is 2xx, else throws ApiError. */
export async function apiFetch(path, options = {}) {
  const headers = new Headers(options.headers || {});
  if (!headers.has('Accept')) headers.set('Accept', 'application/json');
  const t = token();
  if (t) headers.set('Authorization', 'Bearer ' + t);
  let response;
  try {
    response = await fetch(path, { ...options, headers });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError('the API cannot be reached: ' + e.message, 0, 'NetworkError');
  }
  if (response.ok) return response;
  if (response.status === 401) unauthorizedListeners.forEach((fn) => fn());
  let message = response.status + ' ' + response.statusText;
  let reason = '';
  try {
    const body = await response.json();
    if (body && body.kind === 'Status') {
      message = body.message || message;
      reason = body.reason || '';
    }
  } catch (e) {
    // not JSON: the status line is all there is
  }
  throw new ApiError(message, response.status, reason);
}

export async function getJson(path) {
  return (await apiFetch(path)).json();
}

async function send(method, path, body, contentType) {
  const response = await apiFetch(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': contentType },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return response.json();
}

const enc = encodeURIComponent;
const deploymentPath = (ns, name) => `/apis/apps/v1/namespaces/${enc(ns)}/deployments/${enc(name)}`;
const MERGE = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** kubectl scale deployment: a merge patch of the scale subresource. */
export function scaleDeployment(ns, name, replicas) {
  return send('PATCH', deploymentPath(ns, name) + '/scale', { spec: { replicas } }, MERGE);
}

/** kubectl rollout restart: a new template annotation makes a new ReplicaSet. */
export function restartDeployment(ns, name, now = new Date()) {
  const restartedAt = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return send('PATCH', deploymentPath(ns, name), {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
  }, MERGE);
}

// the annotations kubectl's rollback neither copies from the ReplicaSet nor drops from the Deployment
const SKIP_ON_ROLLBACK = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/**
 * kubectl rollout undo, as kubectl does it: the ReplicaSet of the previous revision gives the
 * template back (without its pod-template-hash label) and its annotations, in one JSON patch.
 * replicaSets are the Deployment's own.
 */
export function undoDeployment(deployment, replicaSets) {
  const revision = (rs) => parseInt((rs.metadata.annotations || {})['deployment.kubernetes.io/revision'] || '0', 10);
  const sorted = [...replicaSets].filter((rs) => revision(rs) > 0).sort((a, b) => revision(b) - revision(a));
  if (sorted.length < 2) {
    return Promise.reject(new ApiError('no rollout history found for deployment "' + deployment.metadata.name + '"', 0, ''));
  }
  const previous = sorted[1];
  const template = structuredClone(previous.spec.template);
  if (template.metadata && template.metadata.labels) delete template.metadata.labels['pod-template-hash'];
  if (canonical(template) === canonical(deployment.spec.template)) {
    return Promise.reject(new ApiError('skipped rollback (current template already matches revision '
      + revision(previous) + ')', 0, ''));
  }
  const annotations = {};
  for (const [k, v] of Object.entries(deployment.metadata.annotations || {})) {
    if (SKIP_ON_ROLLBACK.has(k)) annotations[k] = v;
  }
  for (const [k, v] of Object.entries(previous.metadata.annotations || {})) {
    if (!SKIP_ON_ROLLBACK.has(k)) annotations[k] = v;
  }
  return send('PATCH', deploymentPath(deployment.metadata.namespace, deployment.metadata.name), [
    { op: 'replace', path: '/spec/template', value: template },
    { op: 'replace', path: '/metadata/annotations', value: annotations },
  ], JSON_PATCH);
}

/** JSON with sorted keys: two templates compare equal whatever order their fields came in. */
function canonical(value) {
  if (Array.isArray(value)) return '[' + value.map(canonical).join(',') + ']';
  if (value && typeof value === 'object') {
    return '{' + Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',') + '}';
  }
  return JSON.stringify(value === undefined ? null : value);
}

export function deletePod(ns, name) {
  return send('DELETE', `/api/v1/namespaces/${enc(ns)}/pods/${enc(name)}`);
}

/** kubectl cordon / uncordon. */
export function setUnschedulable(node, unschedulable) {
  return send('PATCH', `/api/v1/nodes/${enc(node)}`, { spec: { unschedulable } }, MERGE);
}

/** The members of the Pekko cluster (this server's view), or null when the endpoint is missing. */
export async function clusterMembers() {
  return getJson('/debug/cluster');
}

/** A pod's log, followed: the Response whose body streams new lines as they come. */
export function followLog(ns, name, container, signal) {
  const q = new URLSearchParams({ follow: 'true', tailLines: '500' });
  if (container) q.set('container', container);
  return apiFetch(`/api/v1/namespaces/${enc(ns)}/pods/${enc(name)}/log?${q}`, {
    headers: { Accept: 'text/plain' }, signal,
  });
}
