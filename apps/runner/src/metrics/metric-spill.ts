import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricPointSchema, type MetricPoint } from '@equilab/contracts';

/** What a spill folder needs so that a later runner process can replay it without the job. */
export interface SpillMeta {
  readonly runId: string;
  readonly runToken: string;
}

const SEGMENT = /^\d{13}-\d{6}\.jsonl$/;

/**
 * Unsent metric points of one run on disk: `<SPILL_DIR>/<runId>/<time>-<seq>.jsonl`, one MetricPoint JSON per
 * line, each segment written whole and renamed into place (never half a segment), replayed oldest first.
 */
export class MetricSpill {
  readonly dir: string;
  private seq = 0;

  constructor(
    root: string,
    readonly meta: SpillMeta,
  ) {
    this.dir = join(root, meta.runId);
  }

  /** Write `points` as a new segment. */
  write(points: readonly MetricPoint[]): void {
    if (points.length === 0) return;
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, 'meta.json'), JSON.stringify(this.meta));
    const name = `${Date.now()}-${String(this.seq++ % 1_000_000).padStart(6, '0')}.jsonl`;
    const tmp = join(this.dir, `${name}.tmp`);
    writeFileSync(tmp, points.map((point) => JSON.stringify(point)).join('\n') + '\n');
    renameSync(tmp, join(this.dir, name));
  }

  /** Segment file names, oldest first. */
  segments(): string[] {
    try {
      return readdirSync(this.dir)
        .filter((name) => SEGMENT.test(name))
        .sort();
    } catch {
      return [];
    }
  }

  /** The points of one segment (lines that are not valid points are skipped); [] if it is gone. */
  read(segment: string): MetricPoint[] {
    let text: string;
    try {
      text = readFileSync(join(this.dir, segment), 'utf8');
    } catch {
      return [];
    }
    const points: MetricPoint[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const parsed = metricPointSchema.safeParse(JSON.parse(line));
        if (parsed.success) points.push(parsed.data);
      } catch {
        // a torn line cannot happen with write-then-rename, but never let one block the replay
      }
    }
    return points;
  }

  remove(segment: string): void {
    try {
      unlinkSync(join(this.dir, segment));
    } catch {
      // already replayed by another batcher of the same run
    }
  }

  /** Remove the run's folder once it holds no segment. */
  removeIfEmpty(): void {
    if (this.segments().length > 0) return;
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Spill folders left by earlier runner processes (for replay at start-up). */
  static pending(root: string): SpillMeta[] {
    let names: string[];
    try {
      names = readdirSync(root);
    } catch {
      return [];
    }
    const metas: SpillMeta[] = [];
    for (const name of names) {
      try {
        const meta = JSON.parse(readFileSync(join(root, name, 'meta.json'), 'utf8')) as Partial<SpillMeta>;
        if (typeof meta.runId === 'string' && typeof meta.runToken === 'string' && meta.runId === name)
          metas.push({ runId: meta.runId, runToken: meta.runToken });
      } catch {
        // not a spill folder
      }
    }
    return metas;
  }
}
