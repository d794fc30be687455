import { systemMetricKeys, type MetricPoint } from '@equilab/contracts';
import type { GpuProbe, GpuSample } from './gpu-probe';

/**
 * The training child's process readings as `system/*` metric points (contracts `systemMetricKeys`): CPU % of the
 * process since the previous sample, RSS, and — when the GpuProbe found nvidia-smi — GPU utilisation (mean over
 * the GPUs) and memory used (summed). The GPU is probed in the background; a sample carries the latest reading.
 * The trainer itself reports the data-loader wait fraction and tfjs memory (it owns the loop and the tensors).
 */
export class SystemSampler {
  private lastAt: number;
  private lastCpu: NodeJS.CpuUsage;
  private lastSampleAt = -Infinity;
  private gpus: GpuSample[] | null = null;
  private probing = false;

  constructor(
    private readonly gpu: GpuProbe,
    /** Least time between two samples. */
    private readonly intervalMs = 5_000,
  ) {
    this.lastAt = performance.now();
    this.lastCpu = process.cpuUsage();
    this.refreshGpu();
  }

  /** True when a sample is due (the first one always is). */
  due(now = performance.now()): boolean {
    return now - this.lastSampleAt >= this.intervalMs;
  }

  /** The readings now, at `step`. */
  sample(step: number): MetricPoint[] {
    const now = performance.now();
    const time = Date.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const wallMs = now - this.lastAt;
    const cpuPercent = wallMs > 0 ? ((cpu.user + cpu.system) / 1000 / wallMs) * 100 : 0;
    this.lastAt = now;
    this.lastCpu = process.cpuUsage();
    this.lastSampleAt = now;
    const points: MetricPoint[] = [
      { key: systemMetricKeys.cpuPercent, step, value: cpuPercent, time },
      { key: systemMetricKeys.rssMb, step, value: process.memoryUsage.rss() / 2 ** 20, time },
    ];
    const gpus = this.gpus;
    if (gpus && gpus.length > 0) {
      const utilization = gpus.reduce((sum, g) => sum + g.utilizationPercent, 0) / gpus.length;
      const memory = gpus.reduce((sum, g) => sum + g.memoryUsedMb, 0);
      points.push(
        { key: systemMetricKeys.gpuUtilizationPercent, step, value: utilization, time },
        { key: systemMetricKeys.gpuMemoryMb, step, value: memory, time },
      );
    }
    this.refreshGpu();
    return points;
  }

  private refreshGpu(): void {
    if (this.probing) return;
    this.probing = true;
    void this.gpu.sample().then((gpus) => {
      this.gpus = gpus;
      this.probing = false;
    });
  }
}
