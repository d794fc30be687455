import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../../backend/select-backend';
import { classifyGolden, goldenDir } from './golden-dir';
import { checkMethodCase, type MethodCase } from './method.case';

/** The method golden cases again on the wasm backend, the one training runs on (golden.test.ts runs on cpu). */
void test('method golden cases match on wasm', async () => {
  await selectBackend('wasm');
  const dir = goldenDir();
  const cases = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as unknown)
    .filter((json) => classifyGolden(json) === 'method');
  assert.ok(cases.length > 0, `no method case in ${dir}`);
  for (const c of cases) checkMethodCase(c as MethodCase);
});
