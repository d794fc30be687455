import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import './register-gradients';
import { installAliasingIdentity } from './wasm-identity.kernel';
import type { BackendName, DeviceInfo } from '@equilab/contracts';

export type { BackendName } from '@equilab/contracts';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'wasm', 'cpu', 'tensorflow', 'tensorflow-gpu'];

export interface SelectBackendOptions {
  /**
   * Threads for the wasm backend (default `defaultWasmThreads()`: 2 on 2+ cores when patched). More than one needs the patched Node bundle (patches/, applied by the
   * root postinstall); the number is fixed by the first wasm initialisation of the process. `threads` of the
   * result is what the backend actually uses.
   */
  readonly threads?: number;
}

export type BackendErrorCode = 'invalid-option' | 'not-installed' | 'no-gpu' | 'init-failed';

/** A backend that was asked for and cannot run here. Never followed by a silent fallback. */
export class BackendError extends Error {
  constructor(
    readonly code: BackendErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

const OPTIONAL_PACKAGES = {
  tensorflow: '@tensorflow/tfjs-node',
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
} as const;

function cpuModel(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model.trim() ?? 'unknown CPU'} (${cpus.length} logical cores)`;
}

/** Loads an optional native binding only when asked for; a clear error when it is not installed. */
function loadOptional(name: 'tensorflow' | 'tensorflow-gpu'): unknown {
  const pkg = OPTIONAL_PACKAGES[name];
  try {
    // A computed specifier keeps bundlers and tsc from resolving the optional package at build time.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(pkg);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'MODULE_NOT_FOUND' && String(err.message).includes(pkg))
      throw new BackendError(
        'not-installed',
        `backend '${name}' needs the optional package ${pkg}, which is not installed: ` +
          `run \`npm install ${pkg}@${tf.version_core} -w @equilab/sie\` on a machine that can download libtensorflow` +
          (name === 'tensorflow-gpu' ? ' (tfjs-node-gpu 4.x needs CUDA 11.2 and cuDNN 8.1)' : ''),
      );
    throw new BackendError('init-failed', `backend '${name}': loading ${pkg} failed: ${err.message}`);
  }
}

async function activate(name: string): Promise<void> {
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new BackendError('init-failed', `backend '${name}' failed to initialise: ${(e as Error).message}`);
  }
  // setBackend resolves false (and tfjs stays on its previous backend) when initialisation fails.
  if (!ok || tf.getBackend() !== name)
    throw new BackendError('init-failed', `backend '${name}' failed to initialise (tf.setBackend returned false)`);
  await tf.ready();
}

/** Directory of the wasm binaries: Node must read them from the package's dist folder. */
export function wasmBinaryDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + path.sep;
}

let wasmConfigured = false;

/**
 * Whether the installed Node bundle of the wasm backend carries patches/@tensorflow+tfjs-backend-wasm+4.22.0.patch
 * (pthread worker and main scripts written to temp files, configurable core count, workers that do not keep the
 * process alive). The stock bundle disables threads in Node.
 */
export function wasmThreadsPatched(): boolean {
  try {
    return fs.readFileSync(require.resolve('@tensorflow/tfjs-backend-wasm'), 'utf8').includes('function nodeTempScript(');
  } catch {
    return false;
  }
}

/** 2 threads (≈1.4× faster steps on 2 cores) when the patched bundle allows them and there are 2+ cores, else 1. */
export function defaultWasmThreads(): number {
  return wasmThreadsPatched() ? Math.min(2, Math.max(1, os.cpus().length)) : 1;
}

async function selectWasm(threads: number | undefined): Promise<DeviceInfo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  let note = '';
  if (!wasmConfigured) {
    // Must happen before the backend's first initialisation (tf.findBackend would initialise it); the thread
    // count of a process is fixed by its first wasm initialisation.
    wasm.setWasmPaths(wasmBinaryDir());
    const wanted = threads ?? defaultWasmThreads();
    if (wanted > 1 && wasmThreadsPatched()) {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
      wasm.setThreadsCount(wanted);
    } else if (wanted > 1) {
      note = ' (threads unavailable: the tfjs-backend-wasm patch is not applied; run npm install at the repository root)';
    }
    wasmConfigured = true;
  }
  await activate('wasm');
  installAliasingIdentity();
  const actual = wasm.getThreadsCount();
  return { backend: 'wasm', threads: actual, device: `${cpuModel()}, wasm SIMD, ${actual} thread(s)${note}` };
}

async function selectCpu(): Promise<DeviceInfo> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@tensorflow/tfjs-backend-cpu');
  await activate('cpu');
  return { backend: 'cpu', threads: 1, device: `${cpuModel()}, pure JavaScript` };
}

async function selectTensorflow(gpu: boolean): Promise<DeviceInfo> {
  const name = gpu ? 'tensorflow-gpu' : 'tensorflow';
  loadOptional(name);
  await activate('tensorflow');
  if (gpu) {
    // tfjs-node-gpu runs on the CPU (logging only warnings) when it cannot load CUDA: refuse that.
    const usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    if (!usingGpu)
      throw new BackendError(
        'no-gpu',
        `backend 'tensorflow-gpu': ${OPTIONAL_PACKAGES['tensorflow-gpu']} loaded but found no usable GPU ` +
          '(check the NVIDIA driver, CUDA 11.2 and cuDNN 8.1); choose backend tensorflow, wasm or cpu explicitly to run on the CPU',
      );
    return { backend: 'tensorflow-gpu', threads: null, device: 'GPU (CUDA, libtensorflow)' };
  }
  return { backend: 'tensorflow', threads: os.cpus().length, device: `${cpuModel()}, libtensorflow` };
}

/**
 * Activates a TensorFlow.js backend for the whole process and describes where computations run.
 * `auto` picks the fastest one that works: tensorflow-gpu (when it loads and sees a GPU), tensorflow, wasm, cpu.
 */
export async function selectBackend(name: BackendName = 'wasm', options: SelectBackendOptions = {}): Promise<DeviceInfo> {
  if (!BACKEND_NAMES.includes(name))
    throw new BackendError('invalid-option', `backend: '${String(name)}' is not one of ${BACKEND_NAMES.join(', ')}`);
  const { threads } = options;
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1 || threads > 64))
    throw new BackendError('invalid-option', `threads: must be an integer between 1 and 64, got ${String(threads)}`);
  switch (name) {
    case 'wasm':
      return selectWasm(threads);
    case 'cpu':
      return selectCpu();
    case 'tensorflow':
      return selectTensorflow(false);
    case 'tensorflow-gpu':
      return selectTensorflow(true);
    case 'auto': {
      for (const candidate of ['tensorflow-gpu', 'tensorflow'] as const) {
        try {
          return await selectTensorflow(candidate === 'tensorflow-gpu');
        } catch (e) {
          if (!(e instanceof BackendError)) throw e;
          // tfjs-node-gpu without a usable GPU still runs libtensorflow on the CPU: the next best choice.
          if (e.code === 'no-gpu')
            return { backend: 'tensorflow', threads: os.cpus().length, device: `${cpuModel()}, libtensorflow (tfjs-node-gpu, no GPU)` };
        }
      }
      try {
        return await selectWasm(threads);
      } catch (e) {
        if (!(e instanceof BackendError)) throw e;
      }
      return selectCpu();
    }
  }
}
