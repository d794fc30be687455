// A small evaluator of Kubernetes NetworkPolicy ingress semantics (podSelector, namespaceSelector, ipBlock, ports),
// enough to compute who can open a TCP connection to whom in the rendered manifests.

function matches(selector, labels) {
  if (selector === undefined || selector === null) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const val = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(val))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(val)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Does one `from` peer admit `source` ({ namespace, namespaceLabels, labels }) into namespace `ns`? */
function peerAdmits(peer, source, ns) {
  if (peer.ipBlock) return source.ip !== undefined; // none of our sources are addressed by IP: any ipBlock is a finding
  if (peer.namespaceSelector && !matches(peer.namespaceSelector, source.namespaceLabels)) return false;
  if (!peer.namespaceSelector && source.namespace !== ns) return false;
  if (peer.podSelector && !matches(peer.podSelector, source.labels)) return false;
  return true;
}

function portAdmits(ports, port, targetPorts) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    if (typeof p.port === 'string') return targetPorts[p.port] === port;
    return p.endPort !== undefined ? port >= p.port && port <= p.endPort : p.port === port;
  });
}

/**
 * Can `source` connect to `target` ({ namespace, labels, namedPorts }) on TCP `port` under `policies`?
 * A pod selected by no Ingress policy accepts everything; otherwise some rule of a selecting policy must admit it.
 */
export function ingressAllowed(policies, source, target, port) {
  const selecting = policies.filter(
    (p) =>
      (p.metadata.namespace ?? target.namespace) === target.namespace &&
      (p.spec.policyTypes ?? ['Ingress']).includes('Ingress') &&
      matches(p.spec.podSelector ?? {}, target.labels),
  );
  if (selecting.length === 0) return true;
  return selecting.some((p) =>
    (p.spec.ingress ?? []).some(
      (rule) =>
        portAdmits(rule.ports, port, target.namedPorts ?? {}) &&
        (rule.from === undefined ||
          rule.from.length === 0 ||
          rule.from.some((peer) => peerAdmits(peer, source, target.namespace))),
    ),
  );
}

/**
 * The reachability matrix: for each target name, the sorted list of source names admitted on the target's port,
 * and a separate list of any source admitted on an unrelated port (must be empty).
 */
export function reachability(policies, sources, targets) {
  const result = {};
  for (const [tname, target] of Object.entries(targets)) {
    const on = [];
    const elsewhere = [];
    for (const [sname, source] of Object.entries(sources)) {
      if (sname === tname) continue;
      if (ingressAllowed(policies, source, target, target.port)) on.push(sname);
      if (ingressAllowed(policies, source, target, 65000)) elsewhere.push(sname);
    }
    result[tname] = { port: target.port, from: on.sort(), otherPorts: elsewhere.sort() };
  }
  return result;
}
