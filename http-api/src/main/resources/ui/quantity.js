// Kubernetes resource quantities ("100m", "2", "512Mi", "1G") as numbers: CPU in cores,
// memory in bytes. Enough to add requests up and print them, not a full parser of the grammar.

const SUFFIX = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

export function parseQuantity(q) {
  if (q === null || q === undefined) return 0;
  if (typeof q === 'number') return q;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(String(q).trim());
  if (!m || !(m[2] in SUFFIX)) return 0;
  return parseFloat(m[1]) * SUFFIX[m[2]];
}

export function formatCpu(cores) {
  if (cores < 1 && cores > 0) return Math.round(cores * 1000) + 'm';
  return String(Math.round(cores * 100) / 100);
}

export function formatBytes(bytes) {
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let i = 0;
  while (bytes >= 1024 && i < units.length - 1) {
    bytes /= 1024;
    i++;
  }
  return (Math.round(bytes * 10) / 10) + units[i];
}
