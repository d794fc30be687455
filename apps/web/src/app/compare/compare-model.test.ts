import { expect, test } from 'vitest';
import { bestValues, configDifferences, metricValue, parseRunIds, runLabel } from './compare-model';

const A = '0137048b-7d75-4daa-accc-b7438b07abd3';
const B = '528f0419-aa6b-4220-ace3-8eb0f348b125';

test('run ids are read from commas or whitespace; anything that is no id is dropped', () => {
  expect(parseRunIds(`${A}, ${B}\n nonsense,,`)).toEqual([A, B]);
  expect(parseRunIds('')).toEqual([]);
});

test('config differences list only the fields that differ, method and seed included', () => {
  const runs = [
    { config: { base_lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.99] }, epochs: 3 }, method: 'VICReg', seed: 0 },
    { config: { base_lr: 0.002, optimizer: { name: 'adam', betas: [0.9, 0.99] }, epochs: 3 }, method: 'VICReg', seed: 1 },
    { config: { base_lr: 0.002, optimizer: { name: 'adam', betas: [0.9, 0.999] } }, method: 'VICReg', seed: 2 },
  ];
  expect(configDifferences(runs)).toEqual([
    { key: 'base_lr', values: [0.001, 0.002, 0.002] },
    { key: 'epochs', values: [3, 3, undefined] },
    { key: 'optimizer.betas', values: [[0.9, 0.99], [0.9, 0.99], [0.9, 0.999]] },
    { key: 'seed', values: [0, 1, 2] },
  ]);
  expect(configDifferences([runs[0] as (typeof runs)[number]])).toEqual([]);
});

test('a run label names the differing fields except the seed', () => {
  const differences = [
    { key: 'base_lr', values: [0.001, 0.002] },
    { key: 'seed', values: [0, 1] },
  ];
  expect(runLabel('run-1', 1, differences)).toBe('run-1 (base_lr=0.002)');
  expect(runLabel('run-1', 1, [{ key: 'seed', values: [0, 1] }])).toBe('run-1');
});

test('final and best values; the best per metric needs two runs and skips bookkeeping series', () => {
  const summaries = {
    [A]: [
      { key: 'Loss/total', count: 5, lastStep: 4, last: 2, min: 1, max: 9 },
      { key: 'Online eval reprs/Top-1', count: 5, lastStep: 4, last: 0.5, min: 0.1, max: 0.7 },
      { key: 'General/lr', count: 5, lastStep: 4, last: 0.1, min: 0.1, max: 0.1 },
    ],
    [B]: [
      { key: 'Loss/total', count: 5, lastStep: 4, last: 3, min: 0.5, max: 8 },
      { key: 'General/lr', count: 5, lastStep: 4, last: 0.2, min: 0.2, max: 0.2 },
    ],
  };
  expect(metricValue(summaries, A, 'Loss/total', 'last')).toBe(2);
  expect(metricValue(summaries, A, 'Loss/total', 'best')).toBe(1);
  expect(metricValue(summaries, A, 'Online eval reprs/Top-1', 'best')).toBe(0.7);
  expect(metricValue(summaries, B, 'Online eval reprs/Top-1', 'last')).toBeUndefined();
  const keys = ['General/lr', 'Loss/total', 'Online eval reprs/Top-1'];
  expect([...bestValues(summaries, [A, B], keys, 'last')]).toEqual([['Loss/total', 2]]);
  expect([...bestValues(summaries, [A, B], keys, 'best')]).toEqual([['Loss/total', 0.5]]);
});
