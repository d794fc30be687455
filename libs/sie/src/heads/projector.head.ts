import { parseWidths } from '@equilab/contracts';
import { SequentialHead, type HeadLayerSpec } from './sequential.head';
import type { SeedStream } from './seed.stream';

/**
 * Projector(in, spec) of the reference (spec §3): dims f = [in] + spec; Linear(+bias) → BatchNorm1d → ReLU for
 * every pair but the last, then a final Linear without bias.
 */
export function projectorSpecs(inDim: number, widths: readonly number[]): HeadLayerSpec[] {
  if (widths.length === 0) throw new Error('projector: the mlp spec needs at least one width');
  const f = [inDim, ...widths];
  const specs: HeadLayerSpec[] = [];
  for (let i = 0; i + 2 < f.length; i++) {
    const out = f[i + 1] as number;
    specs.push(
      { kind: 'linear', in: f[i] as number, out, bias: true },
      { kind: 'batchnorm', channels: out },
      { kind: 'relu' },
    );
  }
  specs.push({ kind: 'linear', in: f[f.length - 2] as number, out: f[f.length - 1] as number, bias: false });
  return specs;
}

export function createProjector(
  name: string,
  inDim: number,
  spec: string | readonly number[],
  seeds: SeedStream,
): SequentialHead {
  const widths = typeof spec === 'string' ? parseWidths(spec) : spec;
  return new SequentialHead(name, projectorSpecs(inDim, widths), seeds);
}
