import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_JSON_DEPTH } from '@equilab/contracts';
import { configPathSegments, ownEntry, setPath } from './config-path';
import { SweepError } from './sweep-error';

function issueOf(fn: () => unknown): { path: string; message: string } {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof SweepError, String(error));
    assert.equal(error.issues.length, 1);
    return error.issues[0]!;
  }
  assert.fail('expected a SweepError');
}

void describe('config paths', () => {
  void it('writes at a dotted path without touching the config it copies', () => {
    const base = { optimizer: { lr: 1, momentum: 0.9 }, epochs: 3 };
    const out = setPath(base, 'optimizer.lr', 0.5);
    assert.deepEqual(JSON.parse(JSON.stringify(out)), { optimizer: { lr: 0.5, momentum: 0.9 }, epochs: 3 });
    assert.equal(base.optimizer.lr, 1);
    assert.deepEqual(JSON.parse(JSON.stringify(setPath({ a: 5 }, 'a.b.c', true))), { a: { b: { c: true } } }, 'a non-object on the way becomes an object');
  });

  void it('writes into objects without a prototype and never through Object.prototype', () => {
    const out = setPath({}, 'x.y', 1);
    assert.equal(Object.getPrototypeOf(out), null);
    assert.equal(Object.getPrototypeOf(out['x']), null);
    for (const path of ['__proto__.polluted', 'a.constructor.prototype.polluted', 'prototype', 'a.__proto__']) {
      const issue = issueOf(() => setPath({}, path, 1, `searchSpace.${path}`));
      assert.equal(issue.path, `searchSpace.${path}`);
      assert.match(issue.message, /may not be part of a config path/);
    }
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
    // A JSON body's own "__proto__" key stays an own, inert property of the copy.
    const parsed = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as Record<string, unknown>;
    const copy = setPath(parsed, 'b', 2);
    assert.ok(Object.hasOwn(copy, '__proto__'));
    assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  });

  void it('refuses empty segments and paths deeper than MAX_JSON_DEPTH, naming the field', () => {
    assert.equal(issueOf(() => configPathSegments('a..b', 'searchSpace.a..b')).path, 'searchSpace.a..b');
    const deep = Array.from({ length: MAX_JSON_DEPTH + 1 }, (_, i) => `k${i}`).join('.');
    assert.match(issueOf(() => setPath({}, deep, 1, 'searchSpace.deep')).message, new RegExp(`at most ${MAX_JSON_DEPTH} segments`));
    assert.equal(configPathSegments(deep.split('.').slice(1).join('.')).length, MAX_JSON_DEPTH);
  });

  void it('looks records up by own keys only', () => {
    const record: Record<string, number> = { SIE: 1 };
    assert.equal(ownEntry(record, 'SIE'), 1);
    for (const key of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) assert.equal(ownEntry(record, key), undefined);
    assert.equal(ownEntry(undefined, 'SIE'), undefined);
  });
});
