import type { Run } from '@equilab/contracts';

let counter = 0;

/** A run as the API returns it; `overrides` set the fields a test is about. */
export function makeRun(overrides: Partial<Run> = {}): Run {
  counter += 1;
  const suffix = String(counter).padStart(12, '0');
  return {
    id: `00000000-0000-4000-8000-${suffix}`,
    projectId: '11111111-1111-4111-8111-111111111111',
    name: `run-${counter}`,
    method: 'VICReg',
    config: {},
    status: 'queued',
    attempt: 1,
    seed: 0,
    requestedBackend: 'wasm',
    sweepId: null,
    sweepParams: null,
    groupKey: '0000000000000000',
    sweepConfig: null,
    replicate: null,
    tags: [],
    notes: '',
    evaluations: null,
    runnerId: null,
    backend: null,
    threads: null,
    device: null,
    step: null,
    totalSteps: null,
    epoch: null,
    totalEpochs: null,
    imagesPerSecond: null,
    etaSeconds: null,
    error: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    heartbeatAt: null,
    ...overrides,
  };
}
