import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import {
  MethodConfigError,
  methodCatalogue,
  methodConfigSchemas,
  methodDefaults,
  methodNames,
  parseMethodConfig,
  roundHalfEven,
  safeParseMethodConfig,
  sieProjectorSpecs,
} from './index';

function issuePaths(name: string, overrides: unknown): string[] {
  const r = safeParseMethodConfig(name, overrides);
  assert.equal(r.success, false, `expected ${name} ${JSON.stringify(overrides)} to be rejected`);
  return r.success ? [] : r.issues.map((i) => i.path.join('.'));
}

void test('every method has a schema, defaults and catalogue entry', () => {
  assert.equal(methodNames.length, 14);
  for (const name of methodNames) {
    const d = methodDefaults(name) as Record<string, unknown>;
    assert.equal(d['batch_size'], 32);
    assert.equal(d['resolution'], 64);
    assert.equal(d['mlp'], '2048-2048-2048');
    assert.equal(methodCatalogue[name].loggedTerms[0]?.tag, 'Loss/Total loss');
    assert.equal(methodCatalogue[name].latentDim, name.endsWith('RotColor') ? 6 : 4);
    // every field carries help text for the dashboard
    for (const [key, field] of Object.entries(methodConfigSchemas[name].shape))
      assert.ok((field as z.ZodType).description, `${name}.${key} has no description`);
    // the dashboard renders forms from the JSON schema: defaults and help texts survive the conversion
    const json = z.toJSONSchema(methodConfigSchemas[name], { io: 'input' }) as {
      properties: Record<string, { default?: unknown; description?: string }>;
    };
    assert.equal(json.properties['batch_size']?.default, 32);
    assert.ok(json.properties['mlp']?.description);
  }
});

void test('reference defaults of the SIE options', () => {
  const sie = methodDefaults('SIE');
  assert.deepEqual(
    [sie.equi, sie.sim_coeff, sie.std_coeff, sie.cov_coeff, sie.equi_factor, sie.hypernetwork, sie.predictor],
    [256, 10, 10, 1, 0.45, 'linear', ''],
  );
  assert.deepEqual(
    [sie.predictor_relu, sie.bias_pred, sie.bias_hypernet, sie.predictor_type, sie.tf_num_layers],
    [false, false, false, 'hypernetwork', 1],
  );
  assert.deepEqual([sie.base_lr, sie.wd, sie.arch, sie.width], [1e-3, 1e-6, 'resnet18', 1]);
  const simclr = methodDefaults('SimCLRAugSelf');
  assert.deepEqual([simclr.simclr_temp, simclr.ec_weight], [0.1, 1]);
});

void test('overrides are applied and typed', () => {
  const cfg = parseMethodConfig('SIE', { equi: 128, mlp: '64-64', batch_size: 16 });
  assert.equal(cfg.equi, 128);
  assert.equal(cfg.mlp, '64-64');
  assert.equal(cfg.std_coeff, 10);
});

void test('invalid configs are rejected with the field named', () => {
  assert.deepEqual(issuePaths('NoSuchMethod', {}), ['method']);
  assert.deepEqual(issuePaths('SIE', { equi: 512 }), ['equi']);
  assert.deepEqual(issuePaths('SIE', { equi: 0 }), ['equi']);
  assert.deepEqual(issuePaths('SIE', { equi: -3 }), ['equi']);
  assert.deepEqual(issuePaths('SIE', { width: 0.5, equi: 256 }), ['equi']);
  assert.deepEqual(issuePaths('SIE', { equi: 1, mlp: '100' }), ['equi']);
  assert.deepEqual(issuePaths('SIE', { mlp: '2048-x-2048' }), ['mlp']);
  assert.deepEqual(issuePaths('VICReg', { mlp: '' }), ['mlp']);
  assert.deepEqual(issuePaths('SIE', { predictor: '12-' }), ['predictor']);
  assert.deepEqual(issuePaths('SIE', { hypernetwork: 'huge' }), ['hypernetwork']);
  assert.deepEqual(issuePaths('SIERotColor', { predictor_type: 'mlp' }), ['predictor_type']);
  assert.deepEqual(issuePaths('VICRegPartInv', { mlp: '64-64', equi: 64 }), ['equi']);
  assert.deepEqual(issuePaths('SimCLR', { equi: 12 }), ['equi']);
  assert.deepEqual(issuePaths('SimCLR', { simclr_temp: 0 }), ['simclr_temp']);
  assert.deepEqual(issuePaths('SimCLR', { batch_size: 1 }), ['batch_size']);
  assert.deepEqual(issuePaths('SimCLR', { resolution: 100 }), ['resolution']);
  assert.deepEqual(issuePaths('SimCLR', { width: 0.3 }), ['width']);
  assert.deepEqual(issuePaths('SimCLR', { sim_coeff: '10' }), ['sim_coeff']);
  assert.deepEqual(issuePaths('SimCLREquiModRotColor', { equi_factor: 1 }), ['equi_factor']);
  assert.deepEqual(issuePaths('SIEOnlyEqui', { equi_factor: 1 }), ['equi_factor']);
  assert.throws(
    () => parseMethodConfig('SIE', { equi: 600 }),
    (e: unknown) =>
      e instanceof MethodConfigError && /equi:/.test(e.message) && e.issues[0]?.path[0] === 'equi',
  );
});

void test('projector split rounds half to even like numpy', () => {
  assert.equal(roundHalfEven(2.5), 2);
  assert.equal(roundHalfEven(3.5), 4);
  assert.equal(roundHalfEven(3.4), 3);
  assert.deepEqual(sieProjectorSpecs('2048-2048-2048', 512, 256), {
    inv: [1024, 1024, 1024],
    equi: [1024, 1024, 1024],
  });
  assert.deepEqual(sieProjectorSpecs('2048-2048-2048', 512, 128), {
    inv: [1536, 1536, 1536],
    equi: [512, 512, 512],
  });
  assert.deepEqual(sieProjectorSpecs('12-12-12', 16, 8), { inv: [6, 6, 6], equi: [6, 6, 6] });
  // 5·3/6 = 2.5 → 2, 5·3/6 = 2.5 → 2 (not 3)
  assert.deepEqual(sieProjectorSpecs('5', 6, 3), { inv: [2], equi: [2] });
});

void test('logged TensorBoard tags follow the reference per method', () => {
  const tags = (n: (typeof methodNames)[number]) => methodCatalogue[n].loggedTerms.map((t) => t.tag);
  assert.deepEqual(tags('SimCLR'), ['Loss/Total loss']);
  assert.ok(!tags('SIERotColor').includes('Loss/Equivariance loss'));
  assert.ok(tags('SIE').includes('Loss/Pred Std loss'));
  assert.ok(!tags('SIENoVar').includes('Loss/Pred Std loss'));
  assert.deepEqual(tags('SimCLRAugSelf'), [
    'Loss/Total loss',
    'Loss/Invariance loss',
    'Loss/Equivariance loss',
  ]);
});
