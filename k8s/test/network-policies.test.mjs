// Who can connect to whom under the rendered NetworkPolicies: exactly the edges the deployment needs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderKustomization } from './lib/render.mjs';
import { ofKind, podTemplates, find } from './lib/k8s-invariants.mjs';
import { ingressAllowed, reachability } from './lib/network-policies.mjs';

const NS = 'equilab';
const nsLabels = (name) => ({ 'kubernetes.io/metadata.name': name });

/** Pods of the namespace (from the workloads) plus outsiders, as connection sources and targets. */
function world(objects) {
  const sources = {
    'ingress-controller': {
      namespace: 'ingress-nginx',
      namespaceLabels: nsLabels('ingress-nginx'),
      labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    },
    'ingress-namespace-other-pod': {
      namespace: 'ingress-nginx',
      namespaceLabels: nsLabels('ingress-nginx'),
      labels: { 'app.kubernetes.io/name': 'default-backend' },
    },
    'keda-operator': {
      namespace: 'keda',
      namespaceLabels: nsLabels('keda'),
      labels: { 'app.kubernetes.io/name': 'keda-operator' },
    },
    // Same labels as the API, but in another namespace: must not reach the datastores.
    'api-lookalike-elsewhere': {
      namespace: 'default',
      namespaceLabels: nsLabels('default'),
      labels: { 'app.kubernetes.io/name': 'api' },
    },
    'debug-pod-in-namespace': { namespace: NS, namespaceLabels: nsLabels(NS), labels: { run: 'debug' } },
    prometheus: {
      namespace: 'monitoring',
      namespaceLabels: nsLabels('monitoring'),
      labels: { 'app.kubernetes.io/name': 'prometheus' },
    },
  };
  const targets = {};
  for (const { owner, labels, spec } of podTemplates(objects)) {
    const name = labels['app.kubernetes.io/name'];
    assert.ok(name, `${owner} pods have no app.kubernetes.io/name label`);
    sources[name] = { namespace: NS, namespaceLabels: nsLabels(NS), labels };
    const ports = spec.containers.flatMap((c) => c.ports ?? []);
    const svc = ofKind(objects, 'Service').find((s) => s.spec.selector?.['app.kubernetes.io/name'] === name);
    targets[name] = {
      namespace: NS,
      labels,
      port: svc ? Number(svc.spec.ports[0].port) : (ports[0]?.containerPort ?? 8080),
      namedPorts: Object.fromEntries(ports.filter((p) => p.name).map((p) => [p.name, p.containerPort])),
    };
  }
  return { sources, targets };
}

const expected = {
  api: { port: 4000, from: ['ingress-controller', 'runner', 'web'], otherPorts: [] },
  web: { port: 3000, from: ['ingress-controller'], otherPorts: [] },
  runner: { port: 8080, from: [], otherPorts: [] },
  migrate: { port: 8080, from: [], otherPorts: [] },
};
const expectedLocal = {
  ...expected,
  postgres: { port: 5432, from: ['api', 'migrate'], otherPorts: [] },
  redis: { port: 6379, from: ['api', 'keda-operator', 'runner'], otherPorts: [] },
};

for (const [overlay, want] of [
  ['overlays/local', expectedLocal],
  ['overlays/gpu', expected],
]) {
  describe(`network policies of ${overlay}`, () => {
    const objects = renderKustomization(overlay);
    const policies = ofKind(objects, 'NetworkPolicy');

    it('Prometheus reaches the /metrics ports (api 9464, runner 9465) and nothing else; nobody else reaches them', () => {
      const { sources, targets } = world(objects);
      const scrapes = {};
      for (const [tname, target] of Object.entries(targets))
        for (const port of [9464, 9465])
          for (const [sname, source] of Object.entries(sources))
            if (ingressAllowed(policies, source, target, port)) (scrapes[`${tname}:${port}`] ??= []).push(sname);
      assert.deepEqual(scrapes, { 'api:9464': ['prometheus'], 'runner:9465': ['prometheus'] });
      const api = find(objects, 'Deployment', 'api').spec.template.metadata.annotations;
      assert.deepEqual(api, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9464', 'prometheus.io/path': '/metrics' });
      assert.equal(find(objects, 'Deployment', 'runner').spec.template.metadata.annotations['prometheus.io/port'], '9465');
    });

    it('deny all ingress by default', () => {
      const deny = policies.find(
        (p) =>
          Object.keys(p.spec.podSelector ?? {}).length === 0 &&
          p.spec.policyTypes?.includes('Ingress') &&
          !(p.spec.ingress?.length > 0),
      );
      assert.ok(deny, 'a policy selecting every pod with no ingress rule');
    });

    it('allow exactly: ingress controller -> api, web; runners, web -> api; api, migration -> PostgreSQL; api, runners, KEDA -> Redis', () => {
      const { sources, targets } = world(objects);
      assert.deepEqual(reachability(policies, sources, targets), want);
    });

    it('a new policy opening a pod to everyone is detected', () => {
      const { sources, targets } = world(objects);
      const leaky = {
        metadata: { name: 'leak', namespace: NS },
        spec: { podSelector: { matchLabels: { 'app.kubernetes.io/name': 'runner' } }, ingress: [{}] },
      };
      assert.notDeepEqual(reachability([...policies, leaky], sources, targets), want);
      const withoutDeny = policies.filter((p) => Object.keys(p.spec.podSelector ?? {}).length > 0);
      assert.notDeepEqual(reachability(withoutDeny, sources, targets), want);
      assert.ok(find(objects, 'Deployment', 'runner'));
    });
  });
}
