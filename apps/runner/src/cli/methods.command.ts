import type { Command } from 'commander';
import { methodCatalogue, methodDefaults, methodNames } from '@equilab/contracts';

/** One row of `equilab methods --json`. */
export interface MethodListing {
  readonly name: string;
  readonly family: string;
  readonly summary: string;
  readonly latentMode: string;
  readonly latentDim: number;
  readonly hasPredictor: boolean;
  /** TensorBoard tags of the loss terms the method logs. */
  readonly lossTags: string[];
  readonly defaults: Record<string, unknown>;
}

export function listMethods(): MethodListing[] {
  return methodNames.map((name) => {
    const info = methodCatalogue[name];
    return {
      name,
      family: info.family,
      summary: info.summary,
      latentMode: info.latentMode,
      latentDim: info.latentDim,
      hasPredictor: info.hasPredictor,
      lossTags: info.loggedTerms.map((t) => t.tag),
      defaults: { ...methodDefaults(name) },
    };
  });
}

export function formatMethods(methods: readonly MethodListing[]): string {
  const lines: string[] = [];
  for (const m of methods) {
    lines.push(`${m.name}  (${m.family}, latent ${m.latentMode}/${m.latentDim}${m.hasPredictor ? ', predictor' : ''})`);
    lines.push(`  ${m.summary}`);
    lines.push(`  defaults: ${Object.entries(m.defaults).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join(' ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

export function registerMethodsCommand(program: Command): void {
  program
    .command('methods')
    .description('list the pretraining methods with their default config')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => {
      const methods = listMethods();
      process.stdout.write(options.json ? `${JSON.stringify(methods, null, 2)}\n` : formatMethods(methods));
    });
}
