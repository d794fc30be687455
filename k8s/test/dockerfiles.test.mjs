// docker/*.Dockerfile checked on their parse trees (dockerfile-ast): pinned bases, non-root final stage,
// HEALTHCHECK, production dependencies only, migrations outside the API's start, runner backends.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './lib/render.mjs';
import {
  baseImage,
  contextSources,
  envOf,
  finalCommand,
  healthcheckViolations,
  nonRootUserViolations,
  pinnedBaseViolations,
  productionDependencyViolations,
  runText,
  stages,
} from './lib/dockerfile-rules.mjs';

const read = (name) => readFileSync(join(repoRoot, 'docker', name), 'utf8');
const images = ['api', 'web', 'runner-cpu', 'runner-gpu'];
const parsed = Object.fromEntries(images.map((name) => [name, stages(read(`${name}.Dockerfile`))]));

for (const name of images) {
  describe(`docker/${name}.Dockerfile`, () => {
    const all = parsed[name];
    it('is multi-stage and its final stage is the target compose and k8s use', () => {
      assert.ok(all.length >= 2, 'several stages');
      assert.equal(all.at(-1).name, name === 'api' ? 'api' : name);
    });
    it('pins every base image to an explicit tag', () => assert.deepEqual(pinnedBaseViolations(all), []));
    it('runs the final stage as a non-root USER', () => assert.deepEqual(nonRootUserViolations(all), []));
    it('declares a HEALTHCHECK', () => assert.deepEqual(healthcheckViolations(all), []));
    it('ships production dependencies only', () => assert.deepEqual(productionDependencyViolations(all), []));
    it('copies only files that exist from docker/ (build context = repository root)', () => {
      const missing = contextSources(all).filter(
        (src) => src.startsWith('docker/') && !existsSync(join(repoRoot, src)),
      );
      assert.deepEqual(missing, []);
    });
  });
}

describe('image specifics', () => {
  it('the API does not migrate at start; the `migrate` target runs `node scripts/migrate.mjs deploy`', () => {
    const all = parsed.api;
    assert.doesNotMatch(finalCommand(all), /migrat/i);
    const migrate = all.find((s) => s.name === 'migrate');
    assert.ok(migrate, 'a stage named migrate');
    const cmd = migrate.instructions
      .filter((i) => i.getKeyword() === 'CMD')
      .at(-1)
      ?.getArgumentsContent();
    assert.equal(cmd, '["node", "scripts/migrate.mjs", "deploy"]');
    assert.deepEqual(nonRootUserViolations(all.slice(0, all.indexOf(migrate) + 1)), []);
    assert.deepEqual(productionDependencyViolations(all.slice(0, all.indexOf(migrate) + 1)), []);
    assert.match(finalCommand(all), /dist\/main\.js/);
    assert.equal(envOf(all, 'api').API_HOST, '0.0.0.0');
  });

  it('the web image starts `next start -p 3000`', () => {
    assert.match(finalCommand(parsed.web), /next.*"start", "-p", "3000"/);
  });

  it('runner-cpu installs @tensorflow/tfjs-node 4.22 and selects RUNNER_BACKEND=tensorflow', () => {
    const all = parsed['runner-cpu'];
    assert.equal(envOf(all, 'runner-cpu').RUNNER_BACKEND, 'tensorflow');
    assert.match(all.map((s) => runText(all, s.name)).join('\n'), /@tensorflow\/tfjs-node@4\.22\.\d+/);
    assert.match(baseImage(all, 'runner-cpu'), /^node:20\./);
  });

  it('runner-gpu runs on CUDA 11.2 + cuDNN 8 with Node 20, tfjs-node-gpu 4.22, RUNNER_BACKEND=tensorflow-gpu, GPU check first', () => {
    const all = parsed['runner-gpu'];
    assert.equal(baseImage(all, 'runner-gpu'), 'nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04');
    assert.equal(envOf(all, 'runner-gpu').RUNNER_BACKEND, 'tensorflow-gpu');
    assert.match(all.map((s) => runText(all, s.name)).join('\n'), /@tensorflow\/tfjs-node-gpu@4\.22\.\d+/);
    assert.match(read('runner-gpu.Dockerfile'), /COPY --from=node \/usr\/local\/bin\/node/);
    assert.ok(
      all.some((s) => s.from.raw.startsWith('node:20.')),
      'Node 20 comes from the pinned node:20 image',
    );
    assert.match(
      finalCommand(all),
      /^\["\/usr\/local\/bin\/runner-gpu-entrypoint\.sh"\] \["node", "dist\/main\.js"\]$/,
    );
  });

  it('each Dockerfile has its .dockerignore (identical) keeping node_modules, build output and .git out', () => {
    const ignores = images.map((name) => read(`${name}.Dockerfile.dockerignore`));
    for (const text of ignores) assert.equal(text, ignores[0]);
    const lines = new Set(ignores[0].split('\n').map((l) => l.trim()));
    for (const entry of [
      '.git',
      '**/node_modules',
      '**/dist',
      '**/.next',
      'apps/api/src/generated',
      '**/.env',
    ])
      assert.ok(lines.has(entry), `.dockerignore lacks ${entry}`);
  });
});

describe('the rules catch broken Dockerfiles', () => {
  const base = read('api.Dockerfile');
  it('an unpinned or latest base image', () => {
    assert.notDeepEqual(
      pinnedBaseViolations(stages(base.replace('node:20.20.2-bookworm-slim AS base', 'node AS base'))),
      [],
    );
    assert.notDeepEqual(
      pinnedBaseViolations(stages(base.replace('node:20.20.2-bookworm-slim AS base', 'node:latest AS base'))),
      [],
    );
    assert.notDeepEqual(pinnedBaseViolations(stages('ARG V=20\nFROM node:${V}\n')), []);
  });
  it('a final stage running as root or without USER', () => {
    assert.notDeepEqual(nonRootUserViolations(stages(`${base}\nUSER root\n`)), []);
    assert.notDeepEqual(nonRootUserViolations(stages('FROM node:20.20.2-bookworm-slim\nCMD ["node"]\n')), []);
  });
  it('a final stage without HEALTHCHECK', () => {
    assert.notDeepEqual(healthcheckViolations(stages('FROM node:20.20.2-bookworm-slim\nUSER 1000\n')), []);
    assert.notDeepEqual(healthcheckViolations(stages(`${base}\nHEALTHCHECK NONE\n`)), []);
  });
  it('dev dependencies in the final stage', () => {
    const unpruned = base.replace(/\\\n && npm prune --omit=dev --no-audit --no-fund /, '');
    assert.notEqual(unpruned, base);
    assert.match(
      productionDependencyViolations(stages(unpruned)).join('\n'),
      /copies .* from build, which holds dev dependencies/,
    );
    assert.notDeepEqual(productionDependencyViolations(stages(`${base}\nRUN npm ci\n`)), []);
    assert.deepEqual(productionDependencyViolations(stages(`${base}\nRUN npm ci --omit=dev\n`)), []);
  });
  it('migrations in the API command', () => {
    const migrating = base.replace(
      'CMD ["node", "dist/main.js"]',
      'CMD ["sh", "-c", "node /app/scripts/migrate.mjs deploy && node dist/main.js"]',
    );
    assert.match(finalCommand(stages(migrating)), /migrat/);
  });
});
