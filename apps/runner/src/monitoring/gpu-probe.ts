import { execFile } from 'node:child_process';

/** One GPU as NVML reports it through nvidia-smi. */
export interface GpuSample {
  readonly index: number;
  readonly utilizationPercent: number;
  readonly memoryUsedMb: number;
  readonly memoryTotalMb: number;
}

const QUERY = ['--query-gpu=index,utilization.gpu,memory.used,memory.total', '--format=csv,noheader,nounits'];

/** Parses `nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(stdout: string): GpuSample[] {
  const gpus: GpuSample[] = [];
  for (const line of stdout.split('\n')) {
    if (line.trim() === '') continue;
    const [index, util, used, total] = line.split(',').map((field) => Number(field.trim()));
    // "[N/A]" (a GPU that does not report utilisation) parses as NaN: that GPU's reading is skipped.
    if ([index, util, used, total].some((v) => v === undefined || !Number.isFinite(v))) continue;
    gpus.push({ index: index!, utilizationPercent: util!, memoryUsedMb: used!, memoryTotalMb: total! });
  }
  return gpus;
}

/**
 * GPU utilisation and memory through `nvidia-smi` (NVML), asynchronously and with a timeout. Where nvidia-smi
 * is not installed (ENOENT) or fails, the probe answers null (no GPU readings, no error) and never runs it again.
 */
export class GpuProbe {
  private absent = false;

  constructor(
    private readonly command = 'nvidia-smi',
    private readonly timeoutMs = 5_000,
  ) {}

  /** The GPUs' readings, or null when this machine has no working nvidia-smi. */
  sample(): Promise<GpuSample[] | null> {
    if (this.absent) return Promise.resolve(null);
    return new Promise((resolve) => {
      execFile(this.command, QUERY, { timeout: this.timeoutMs, windowsHide: true }, (error, stdout) => {
        if (error) {
          // Not installed, no driver, or no device: a CPU machine. Stop asking.
          this.absent = true;
          return resolve(null);
        }
        const gpus = parseNvidiaSmi(stdout);
        if (gpus.length === 0) this.absent = true;
        resolve(gpus.length > 0 ? gpus : null);
      });
    });
  }
}
