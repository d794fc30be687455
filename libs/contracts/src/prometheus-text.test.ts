import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePrometheusText, promSamples, promValue } from './prometheus-text';

void test('reads types, labelled histogram series, escapes and special values', () => {
  const scrape = parsePrometheusText(
    [
      '# HELP h latency',
      '# TYPE h histogram',
      'h_bucket{le="0.5",route="/a",status="200"} 1',
      'h_bucket{le="+Inf",route="/a",status="200"} 2',
      'h_sum{route="/a",status="200"} 0.75',
      'h_count{route="/a",status="200"} 2',
      'h_count{route="/b",status="404"} 5',
      '# TYPE g gauge',
      'g{path="C:\\\\DIR",msg="say \\"hi\\"\\n"} +Inf 1395066363000',
      'plain 12.5e-1',
    ].join('\n'),
  );
  assert.equal(scrape.types.get('h'), 'histogram');
  assert.equal(scrape.types.get('g'), 'gauge');
  assert.equal(promValue(scrape, 'h_count', { route: '/a' }), 2);
  assert.equal(promValue(scrape, 'h_count', { route: '/b', status: '404' }), 5);
  assert.equal(promValue(scrape, 'h_bucket', { route: '/a', le: '+Inf' }), 2);
  assert.equal(promSamples(scrape, 'h_bucket').length, 2);
  assert.deepEqual(promSamples(scrape, 'g')[0]?.labels, { path: 'C:\\DIR', msg: 'say "hi"\n' });
  assert.equal(promValue(scrape, 'g'), Infinity);
  assert.equal(promValue(scrape, 'plain'), 1.25);
  assert.throws(() => promValue(scrape, 'h_count'), /2 samples/);
  assert.throws(() => parsePrometheusText('h{route="/a" 1'), /not a sample line|bad labels/);
  assert.throws(() => parsePrometheusText('h{route=/a} 1'), /bad labels/);
});
