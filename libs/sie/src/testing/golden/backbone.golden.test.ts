import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../../backend/select-backend';
import { checkBackboneCase } from './backbone.case';
import { goldenDir } from './golden-dir';

function backboneCases(): { file: string; json: unknown }[] {
  const dir = goldenDir();
  assert.ok(fs.existsSync(dir), `golden folder ${dir} not found (set SIE_GOLDEN_DIR)`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => ({ file: f, json: JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown }))
    .filter(({ json }) => (json as { kind?: string }).kind === 'backbone');
}

for (const backend of ['cpu', 'wasm'] as const) {
  void test(`backbone golden cases match on ${backend}`, async () => {
    await selectBackend(backend);
    const cases = backboneCases();
    assert.ok(cases.length > 0, 'at least one backbone golden case');
    for (const { json } of cases) checkBackboneCase(json);
  });
}
