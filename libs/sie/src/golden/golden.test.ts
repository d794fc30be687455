import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../backend/select-backend';
import { backboneCaseImplemented, checkBackboneCase } from './backbone.case';
import { classifyGolden, goldenDir } from './golden-dir';
import { checkMethodCase, type MethodCase } from './method.case';
import { checkMetricsCase, type MetricsCase } from './metrics.case';
import { checkRelativeRotationCase, type RelativeRotationCase } from './relative-rotation.case';

/**
 * Every `*.json` of the golden folder is one test, dispatched on its content (spec: ../../../../shared/golden/
 * README.md). A file that is none of the known kinds fails. Runs on the `cpu` backend (float32).
 */
const dir = goldenDir();
const files = fs.existsSync(dir)
  ? fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
  : [];

before(async () => {
  await selectBackend('cpu');
});

void test('golden folder has cases', () => {
  assert.ok(fs.existsSync(dir), `golden folder ${dir} not found (set SIE_GOLDEN_DIR)`);
  assert.ok(files.length > 0, `no *.json in ${dir}`);
});

for (const file of files) {
  void test(file, (t) => {
    const json = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as unknown;
    const kind = classifyGolden(json);
    switch (kind) {
      case 'method':
        return checkMethodCase(json as MethodCase);
      case 'backbone':
        if (!backboneCaseImplemented)
          return t.skip('backbone golden check not implemented yet (backbone.case.ts)');
        return checkBackboneCase(json);
      case 'relative_rotation':
        return checkRelativeRotationCase(json as RelativeRotationCase);
      case 'metrics':
        return checkMetricsCase(json as MetricsCase);
      case null:
        return assert.fail(
          `${file}: not a known golden case (no "method", "kind": "backbone", or "name" relative_rotation/metrics)`,
        );
    }
  });
}
