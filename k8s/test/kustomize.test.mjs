// Render both overlays, validate every object against its schema, and check the deployment invariants.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderKustomization } from './lib/render.mjs';
import { schemaErrors } from './lib/schemas.mjs';
import {
  apiViolations,
  claimMounts,
  containerHardeningViolations,
  cpuRunnerViolations,
  danglingReferences,
  find,
  gpuRunnerViolations,
  ingressViolations,
  ofKind,
  podTemplates,
  scaledObjectViolations,
} from './lib/k8s-invariants.mjs';

const rendered = {
  local: renderKustomization('overlays/local'),
  gpu: renderKustomization('overlays/gpu'),
};

for (const [overlay, objects] of Object.entries(rendered)) {
  describe(`overlay ${overlay}`, () => {
    it('renders the expected kinds', () => {
      const kinds = new Set(objects.map((o) => o.kind));
      for (const kind of [
        'Namespace',
        'Deployment',
        'Service',
        'Ingress',
        'Job',
        'ScaledObject',
        'NetworkPolicy',
        'PersistentVolumeClaim',
      ])
        assert.ok(kinds.has(kind), `${overlay} renders no ${kind}`);
      for (const name of ['api', 'web', 'runner'])
        assert.ok(find(objects, 'Deployment', name), `Deployment ${name}`);
    });

    it('every object is valid against its Kubernetes / KEDA schema', async () => {
      const errors = (await Promise.all(objects.map(schemaErrors))).flat();
      assert.deepEqual(errors, []);
    });

    it('every namespaced object lives in the equilab namespace', () => {
      const stray = objects
        .filter((o) => o.kind !== 'Namespace' && o.metadata.namespace !== 'equilab')
        .map((o) => `${o.kind}/${o.metadata.name}`);
      assert.deepEqual(stray, []);
    });

    it('every container (init containers and the Job too) is hardened and has requests and limits', () => {
      assert.deepEqual(containerHardeningViolations(objects), []);
    });

    it('the API runs 2+ replicas probed on /api/health, with REDIS_URL for the socket.io adapter, and no migration', () => {
      assert.deepEqual(apiViolations(objects), []);
    });

    it('the Ingress routes /api and /socket.io to the API, / to the dashboard, with cookie affinity', () => {
      assert.deepEqual(ingressViolations(objects), []);
    });

    it('a migration Job runs `node scripts/migrate.mjs deploy` with DATABASE_URL from a Secret', () => {
      const job = find(objects, 'Job', 'equilab-migrate');
      assert.ok(job, 'Job equilab-migrate');
      const [c] = job.spec.template.spec.containers;
      assert.deepEqual(c.command, ['node', 'scripts/migrate.mjs', 'deploy']);
      assert.match(c.image, /equilab\/migrate:/);
      assert.ok(
        c.env.find((e) => e.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef,
        'DATABASE_URL from a Secret',
      );
      assert.ok(['Never', 'OnFailure'].includes(job.spec.template.spec.restartPolicy));
    });

    it('the runners scale 0 -> N with KEDA on the BullMQ wait list', () => {
      assert.deepEqual(
        scaledObjectViolations(objects, { auth: overlay === 'local' ? 'in-cluster' : 'secret' }),
        [],
      );
    });

    it('artifacts are one shared volume mounted by the API and the runners', () => {
      const mounts = claimMounts(objects);
      assert.ok(mounts.has('Deployment/api|equilab-artifacts|/var/lib/equilab/artifacts'));
      assert.ok(mounts.has('Deployment/runner|equilab-artifacts|/var/lib/equilab/artifacts'));
      assert.ok(mounts.has('Deployment/runner|equilab-datasets|/data'));
      const pvc = find(objects, 'PersistentVolumeClaim', 'equilab-artifacts');
      assert.deepEqual(pvc.spec.accessModes, overlay === 'gpu' ? ['ReadWriteMany'] : ['ReadWriteOnce']);
    });

    it('the API has a PodDisruptionBudget so a node drain keeps one replica serving', () => {
      const pdb = ofKind(objects, 'PodDisruptionBudget').find(
        (p) => p.spec.selector?.matchLabels?.['app.kubernetes.io/name'] === 'api',
      );
      assert.equal(pdb?.spec.minAvailable, 1);
    });
  });
}

describe('overlay local', () => {
  const objects = rendered.local;
  it('runs CPU runners (runner-cpu image, RUNNER_BACKEND=tensorflow)', () => {
    assert.deepEqual(cpuRunnerViolations(objects), []);
  });

  it('runs PostgreSQL and Redis as StatefulSets with volumeClaimTemplates, Redis append-only', () => {
    const mounts = claimMounts(objects);
    assert.ok(mounts.has('StatefulSet/postgres|template:data|/var/lib/postgresql/data'));
    assert.ok(mounts.has('StatefulSet/redis|template:data|/data'));
    const redis = find(objects, 'StatefulSet', 'redis').spec.template.spec.containers[0];
    const args = [...(redis.command ?? []), ...(redis.args ?? [])];
    assert.equal(args[args.indexOf('--appendonly') + 1], 'yes');
    assert.equal(args[args.indexOf('--maxmemory-policy') + 1], 'noeviction');
    for (const name of ['postgres', 'redis']) assert.ok(find(objects, 'Service', name), `Service ${name}`);
  });

  it('every Secret and ConfigMap a workload reads is rendered, with the key it reads', () => {
    assert.deepEqual(danglingReferences(objects), []);
    const urls = find(
      objects,
      'Secret',
      ofKind(objects, 'Secret').find((s) => s.metadata.name.startsWith('equilab-datastores'))?.metadata.name,
    );
    const decode = (k) => Buffer.from(urls.data[k], 'base64').toString();
    assert.match(decode('DATABASE_URL'), /^postgresql:\/\/[^@]+@postgres:5432\//);
    assert.equal(decode('REDIS_URL'), 'redis://redis:6379');
  });
});

describe('overlay gpu', () => {
  const objects = rendered.gpu;
  it('runs one GPU per runner pod on NVIDIA nodes, runner-gpu image, 300 s to checkpoint on preemption', () => {
    assert.deepEqual(gpuRunnerViolations(objects), []);
  });

  it('uses external PostgreSQL/Redis: no datastore workloads, URLs only through the pre-created Secrets', () => {
    assert.equal(ofKind(objects, 'StatefulSet').length, 0);
    assert.equal(ofKind(objects, 'Secret').length, 0, 'the gpu overlay must not ship credentials');
    const external = new Set(['equilab-datastores', 'equilab-runner-token']);
    assert.deepEqual(danglingReferences(objects, external), []);
    const secretsRead = new Set(
      podTemplates(objects).flatMap(({ spec }) =>
        spec.containers.flatMap((c) =>
          (c.env ?? [])
            .filter((e) => e.valueFrom?.secretKeyRef)
            .map((e) => `${e.name}<-${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`),
        ),
      ),
    );
    for (const ref of [
      'DATABASE_URL<-equilab-datastores/DATABASE_URL',
      'REDIS_URL<-equilab-datastores/REDIS_URL',
      'API_TOKEN<-equilab-runner-token/API_TOKEN',
    ])
      assert.ok(secretsRead.has(ref), `missing ${ref}`);
  });

  it('serves one TLS host', () => {
    const [ing] = ofKind(objects, 'Ingress');
    assert.ok(ing.spec.tls?.[0]?.secretName);
    assert.deepEqual(
      ing.spec.rules.map((r) => r.host),
      [ing.spec.tls[0].hosts[0]],
    );
  });
});
