import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { selectBackend } from '../../backend/select-backend';
import { backboneCaseImplemented, checkBackboneCase } from './backbone.case';
import { classifyGolden, goldenDir } from './golden-dir';
import { checkMethodCase, type MethodCase } from './method.case';
import type { Nested } from './golden.assert';
import { checkMetricsCase, type MetricsCase } from './metrics.case';
import { checkRelativeRotationCase, type RelativeRotationCase } from './relative-rotation.case';

/**
 * Every `*.json` of the golden folder is one test, dispatched on its content (spec: ../../../../../../shared/golden/
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

/**
 * Objectives take representations of any width: a case derived from `vicreg_basic.json` with repr_size 20
 * (64·20/512 = 2.5, so no backbone width gives it) — 4 extra representation columns that the projector's first
 * layer weighs with zero rows. The loss terms are the original case's and their gradients are 0 on the extra
 * columns.
 */
void test('a case whose repr_size is no backbone width (20) is checked on its representations', () => {
  const source = path.join(dir, 'vicreg_basic.json');
  assert.ok(fs.existsSync(source), `${source} not found`);
  const base = JSON.parse(fs.readFileSync(source, 'utf8')) as MethodCase;
  const extra = 20 - base.config.repr_size;
  assert.ok(extra > 0);
  const widen = (rows: Nested[], fill: (i: number, j: number) => number): Nested[] =>
    rows.map((row, i) => [...(row as number[]), ...Array.from({ length: extra }, (_, j) => fill(i, j))]);
  const [first, ...rest] = base.params['projector'] ?? [];
  assert.ok(first?.kind === 'linear', 'vicreg_basic: the projector starts with a linear layer');
  const out = (first.weight[0] as number[]).length;
  const derived: MethodCase = {
    ...base,
    name: `${base.name}_repr20`,
    config: { ...base.config, repr_size: 20 },
    inputs: {
      ...base.inputs,
      x_rep: widen(base.inputs.x_rep, (i, j) => Math.sin(i + 3 * j)),
      y_rep: widen(base.inputs.y_rep, (i, j) => Math.cos(2 * i + j)),
    },
    params: {
      ...base.params,
      projector: [{ ...first, weight: [...first.weight, ...Array.from({ length: extra }, () => new Array<number>(out).fill(0))] }, ...rest],
    },
    expected: {
      ...base.expected,
      grad_x_rep: widen(base.expected['grad_x_rep'] as Nested[], () => 0),
      grad_y_rep: widen(base.expected['grad_y_rep'] as Nested[], () => 0),
    },
  };
  checkMethodCase(derived);
});
