// The invariant checks catch broken manifests: each case breaks one rule in a copy of the rendered gpu overlay
// (or local) and expects the matching check to report it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderKustomization } from './lib/render.mjs';
import { schemaErrors } from './lib/schemas.mjs';
import {
  apiViolations,
  containerHardeningViolations,
  danglingReferences,
  find,
  gpuRunnerViolations,
  ingressViolations,
  scaledObjectViolations,
} from './lib/k8s-invariants.mjs';

const gpu = renderKustomization('overlays/gpu');
const local = renderKustomization('overlays/local');
const copy = (objects) => structuredClone(objects);
const container = (objects, deployment) =>
  find(objects, 'Deployment', deployment).spec.template.spec.containers[0];

describe('invariant checks report broken manifests', () => {
  it('the unbroken overlays pass every check', () => {
    assert.deepEqual(gpuRunnerViolations(gpu), []);
    assert.deepEqual(containerHardeningViolations(gpu), []);
    assert.deepEqual(scaledObjectViolations(gpu, { auth: 'secret' }), []);
    assert.deepEqual(scaledObjectViolations(local, { auth: 'in-cluster' }), []);
  });

  it('a GPU runner without nvidia.com/gpu, tolerations or grace period', () => {
    const a = copy(gpu);
    delete container(a, 'runner').resources.limits['nvidia.com/gpu'];
    assert.match(gpuRunnerViolations(a).join('\n'), /limits nvidia.com\/gpu is not 1/);
    const b = copy(gpu);
    find(b, 'Deployment', 'runner').spec.template.spec.tolerations = [];
    find(b, 'Deployment', 'runner').spec.template.spec.terminationGracePeriodSeconds = 30;
    assert.match(gpuRunnerViolations(b).join('\n'), /tolerate[\s\S]*terminationGracePeriodSeconds 30/);
  });

  it('a container that may escalate, keeps capabilities, writes its root filesystem or has no limits', () => {
    const a = copy(gpu);
    container(a, 'web').securityContext.allowPrivilegeEscalation = true;
    delete container(a, 'api').resources.limits;
    find(a, 'Job', 'equilab-migrate').spec.template.spec.containers[0].securityContext.capabilities = {};
    const v = containerHardeningViolations(a).join('\n');
    assert.match(v, /Deployment\/web container web: allowPrivilegeEscalation/);
    assert.match(v, /Deployment\/api container api: resources.limits.cpu missing/);
    assert.match(v, /Job\/equilab-migrate container migrate: capabilities.drop lacks ALL/);
  });

  it('an init container is checked like the others', () => {
    const a = copy(local);
    find(a, 'StatefulSet', 'postgres').spec.template.spec.initContainers = [
      { name: 'chown', image: 'busybox:1.36', command: ['chown'] },
    ];
    assert.match(
      containerHardeningViolations(a).join('\n'),
      /StatefulSet\/postgres initContainer chown: runAsNonRoot|initContainer chown: allowPrivilegeEscalation/,
    );
  });

  it('an API without probes, with one replica, or migrating at start', () => {
    const a = copy(gpu);
    find(a, 'Deployment', 'api').spec.replicas = 1;
    delete container(a, 'api').readinessProbe;
    container(a, 'api').args = ['sh', '-c', 'node scripts/migrate.mjs deploy && node dist/main.js'];
    const v = apiViolations(a).join('\n');
    assert.match(v, /replicas 1 < 2/);
    assert.match(v, /readinessProbe is not GET \/api\/health/);
    assert.match(v, /runs migrations/);
  });

  it('an Ingress without affinity or with socket.io routed to the dashboard', () => {
    const a = copy(gpu);
    const ing = a.find((o) => o.kind === 'Ingress');
    delete ing.metadata.annotations['nginx.ingress.kubernetes.io/affinity'];
    ing.spec.rules[0].http.paths.find((p) => p.path === '/socket.io').backend.service.name = 'web';
    const v = ingressViolations(a).join('\n');
    assert.match(v, /affinity: cookie/);
    assert.match(v, /\/socket.io -> web/);
  });

  it('a ScaledObject that never scales to zero, watches the wrong list or hard-codes the external Redis', () => {
    const a = copy(gpu);
    const so = a.find((o) => o.kind === 'ScaledObject');
    so.spec.minReplicaCount = 1;
    find(a, 'Deployment', 'runner').spec.replicas = 0;
    so.spec.triggers[0].metadata.listName = 'bull:pretrain:waiting';
    so.spec.triggers[1].metadata.address = 'redis.example.com:6379';
    const v = scaledObjectViolations(a, { auth: 'secret' }).join('\n');
    assert.match(v, /minReplicaCount 1/);
    assert.match(v, /fixes replicas: 0/);
    assert.match(v, /no redis trigger on the list bull:pretrain:wait/);
    assert.match(v, /hard-coded address/);
    const b = copy(local);
    b.find((o) => o.kind === 'ScaledObject').spec.triggers[0].metadata.address = 'valkey:6379';
    assert.match(
      scaledObjectViolations(b, { auth: 'in-cluster' }).join('\n'),
      /not an in-cluster Redis Service/,
    );
  });

  it('a ScaledObject trigger with a misspelt field fails the schema check', async () => {
    const so = structuredClone(gpu.find((o) => o.kind === 'ScaledObject'));
    so.spec.triggers[0].metadata.listname = so.spec.triggers[0].metadata.listName;
    delete so.spec.triggers[0].metadata.listName;
    assert.match((await schemaErrors(so)).join('\n'), /listName|listname/);
  });

  it('a Deployment with an invalid field type fails the Kubernetes schema check', async () => {
    const api = structuredClone(find(gpu, 'Deployment', 'api'));
    api.spec.replicas = 'two';
    assert.match((await schemaErrors(api)).join('\n'), /replicas must be integer/);
  });

  it('a Secret reference without its Secret or key', () => {
    const a = copy(local);
    container(a, 'api').env.push({ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'X' } } });
    assert.match(danglingReferences(a).join('\n'), /Secret nope does not exist/);
  });
});
